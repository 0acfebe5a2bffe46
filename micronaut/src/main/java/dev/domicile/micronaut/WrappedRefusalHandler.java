package dev.domicile.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;
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

    private final RefusalOrError answers;

    WrappedRefusalHandler(ErrorResponseProcessor<?> errors, ForwardingConfig forwarding, List<DomicileEvents> events) {
        this.answers = new RefusalOrError(errors, forwarding, events,
                LoggerFactory.getLogger(WrappedRefusalHandler.class));
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw HttpRequest
    public HttpResponse<?> handle(HttpRequest request, RuntimeException exception) {
        return answers.answer(request, exception);
    }
}
