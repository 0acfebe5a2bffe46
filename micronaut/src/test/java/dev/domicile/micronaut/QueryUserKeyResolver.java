package dev.domicile.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.util.Optional;

/** A test application's own resolver: the user is the {@code as} query parameter. Active with {@code test.resolver=query}. */
@Singleton
@Requires(property = "test.resolver", value = "query")
class QueryUserKeyResolver implements UserKeyResolver {

    @Override
    public Optional<String> resolve(HttpRequest<?> request) {
        return request.getParameters().getFirst("as");
    }
}
