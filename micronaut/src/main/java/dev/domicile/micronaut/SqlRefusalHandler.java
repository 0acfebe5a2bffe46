package dev.domicile.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Answers an {@link SQLException} that escapes a controller: a routing refusal or a fenced write as
 * {@link RefusalResponses} says ({@code 503} with {@code Retry-After}); any other as Micronaut answers unhandled
 * errors ({@code 500} through its {@link ErrorResponseProcessor}, logged).
 */
@Singleton
@Requires(classes = ExceptionHandler.class)
final class SqlRefusalHandler implements ExceptionHandler<SQLException, HttpResponse<?>> {

    private final RefusalOrError answers;

    SqlRefusalHandler(ErrorResponseProcessor<?> errors, ForwardingConfig forwarding, List<DomicileEvents> events) {
        this.answers = new RefusalOrError(errors, forwarding, events,
                LoggerFactory.getLogger(SqlRefusalHandler.class));
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw HttpRequest
    public HttpResponse<?> handle(HttpRequest request, SQLException exception) {
        return answers.answer(request, exception);
    }
}
