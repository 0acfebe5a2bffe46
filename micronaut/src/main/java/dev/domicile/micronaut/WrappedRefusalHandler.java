package dev.domicile.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an unchecked exception that escapes a controller and has no handler of its own (Micronaut picks the handler
 * of the closest exception type, so Micronaut's and the application's more specific handlers still win): if a routing
 * refusal or a fenced write is in its cause chain, e.g. an {@link java.sql.SQLException} wrapped by jOOQ's or
 * Micronaut Data's {@code DataAccessException}, or a {@link dev.domicile.authority.NotAuthoritativeException} wrapped
 * by any library, the answer is {@link RefusalResponses}' {@code 503} with {@code Retry-After}; any other exception is
 * answered as Micronaut answers unhandled errors ({@code 500} through its {@link ErrorResponseProcessor}, logged).
 *
 * <p>An application that declares its own {@code ExceptionHandler<RuntimeException, ?>} replaces this one (this bean
 * is {@link io.micronaut.context.annotation.Secondary}); it then has to map wrapped refusals itself, e.g. with
 * {@link RefusalResponses}' rules as documented in the module README.
 */
@Singleton
@io.micronaut.context.annotation.Secondary
@Requires(classes = ExceptionHandler.class)
final class WrappedRefusalHandler implements ExceptionHandler<RuntimeException, HttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(WrappedRefusalHandler.class);

    private final ErrorResponseProcessor<?> errors;
    private final ForwardingConfig forwarding;
    private final List<DomicileEvents> events;

    WrappedRefusalHandler(ErrorResponseProcessor<?> errors, ForwardingConfig forwarding,
                          List<DomicileEvents> events) {
        this.errors = errors;
        this.forwarding = forwarding;
        this.events = List.copyOf(events);
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw HttpRequest
    public HttpResponse<?> handle(HttpRequest request, RuntimeException exception) {
        Optional<RefusalResponses.Answer> answer = RefusalResponses.of(exception, forwarding.retryAfter());
        if (answer.isPresent()) {
            LOG.debug("{} {}: {}", request.getMethodName(), request.getPath(), exception.getMessage());
            events.forEach(e -> e.onWriteFailed(answer.get().kind(), 503));
            return answer.get().response();
        }
        LOG.error("{} {} failed", request.getMethodName(), request.getPath(), exception);
        return errors.processResponse(ErrorContext.builder(request).cause(exception)
                .errorMessage("Internal Server Error: " + exception.getMessage()).build(), HttpResponse.serverError());
    }
}
