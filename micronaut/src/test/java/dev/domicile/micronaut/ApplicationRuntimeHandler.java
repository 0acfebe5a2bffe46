package dev.domicile.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.Map;

/** An application's own handler of unchecked exceptions (only with {@code test.application-runtime-handler}). */
@Singleton
@Requires(property = "test.application-runtime-handler", value = "true")
final class ApplicationRuntimeHandler implements ExceptionHandler<RuntimeException, HttpResponse<?>> {

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw HttpRequest
    public HttpResponse<?> handle(HttpRequest request, RuntimeException exception) {
        return HttpResponse.status(HttpStatus.I_AM_A_TEAPOT).body(Map.of("handledBy", "application"));
    }
}
