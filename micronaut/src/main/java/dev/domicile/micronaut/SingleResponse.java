package dev.domicile.micronaut;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The first element of a {@link Publisher} as a {@link CompletableFuture}: completed with it, or exceptionally with the
 * publisher's error, or exceptionally with {@link IllegalStateException} if the publisher completes empty. Lets the
 * forwarding filter recover from a failed proxy call without a reactive library.
 */
final class SingleResponse {

    private SingleResponse() {
    }

    /** Subscribes to {@code publisher} now and requests one element. */
    static <T> CompletableFuture<T> of(Publisher<T> publisher) {
        CompletableFuture<T> future = new CompletableFuture<>();
        publisher.subscribe(new Subscriber<T>() {
            private Subscription subscription;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = Objects.requireNonNull(s, "subscription");
                s.request(1);
            }

            @Override
            public void onNext(T item) {
                if (future.complete(item)) {
                    subscription.cancel();
                }
            }

            @Override
            public void onError(Throwable error) {
                future.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                future.completeExceptionally(new IllegalStateException("the publisher completed without a response"));
            }
        });
        return future;
    }
}
