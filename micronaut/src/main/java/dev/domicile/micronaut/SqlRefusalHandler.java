package dev.domicile.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an {@link SQLException} that escapes a controller: a routing refusal or a fenced write as
 * {@link RefusalResponses} says ({@code 503} with {@code Retry-After}); any other as Micronaut answers unhandled
 * errors ({@code 500} through its {@link ErrorResponseProcessor}, logged).
 */
@Singleton
@Requires(classes = ExceptionHandler.class)
final class SqlRefusalHandler implements ExceptionHandler<SQLException, HttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(SqlRefusalHandler.class);

    private final ErrorResponseProcessor<?> errors;
    private final ForwardingConfig forwarding;
    private final List<DomicileEvents> events;

    SqlRefusalHandler(ErrorResponseProcessor<?> errors, ForwardingConfig forwarding, List<DomicileEvents> events) {
        this.errors = errors;
        this.forwarding = forwarding;
        this.events = List.copyOf(events);
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw HttpRequest
    public HttpResponse<?> handle(HttpRequest request, SQLException exception) {
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
