package dev.domicile.micronaut;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The answer of Domicile's exception handlers to an exception that escapes a controller: a routing refusal or a
 * fenced write found by {@link RefusalResponses} becomes its {@code 503} with {@code Retry-After} (counted as a
 * failed write), anything else is answered as Micronaut answers unhandled errors ({@code 500} through its
 * {@link ErrorResponseProcessor}, logged). Thread-safe.
 */
final class RefusalOrError {

    private final ErrorResponseProcessor<?> errors;
    private final ForwardingConfig forwarding;
    private final List<DomicileEvents> events;
    private final Logger log;

    RefusalOrError(ErrorResponseProcessor<?> errors, ForwardingConfig forwarding, List<DomicileEvents> events,
                   Logger log) {
        this.errors = errors;
        this.forwarding = forwarding;
        this.events = List.copyOf(events);
        this.log = log;
    }

    HttpResponse<?> answer(HttpRequest<?> request, Exception exception) {
        Optional<RefusalResponses.Answer> answer = RefusalResponses.of(exception, forwarding.retryAfter());
        if (answer.isPresent()) {
            log.debug("{} {}: {}", request.getMethodName(), request.getPath(), exception.getMessage());
            events.forEach(e -> e.onWriteFailed(answer.get().kind(), 503));
            return answer.get().response();
        }
        log.error("{} {} failed", request.getMethodName(), request.getPath(), exception);
        return errors.processResponse(ErrorContext.builder(request).cause(exception)
                .errorMessage("Internal Server Error: " + exception.getMessage()).build(), HttpResponse.serverError());
    }
}
