package dev.domicile.micronaut;

import dev.domicile.authority.NotAuthoritativeException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;

/** Answers a {@link NotAuthoritativeException} that escapes a controller with {@link RefusalResponses}' 503. */
@Singleton
@Requires(classes = ExceptionHandler.class)
final class RefusedWriteHandler implements ExceptionHandler<NotAuthoritativeException, HttpResponse<?>> {

    private final ForwardingConfig forwarding;
    private final List<DomicileEvents> events;

    RefusedWriteHandler(ForwardingConfig forwarding, List<DomicileEvents> events) {
        this.forwarding = forwarding;
        this.events = List.copyOf(events);
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw HttpRequest
    public HttpResponse<?> handle(HttpRequest request, NotAuthoritativeException exception) {
        RefusalResponses.Answer answer = RefusalResponses.of(exception, forwarding.retryAfter()).orElseThrow();
        events.forEach(e -> e.onWriteFailed(answer.kind(), 503));
        return answer.response();
    }
}
