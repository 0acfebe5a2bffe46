package dev.domicile.micronaut;

import io.micronaut.context.annotation.Secondary;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.util.Optional;

/** The default {@link UserKeyResolver}: the header {@code domicile.filter.user-header}, if present and not blank. */
@Singleton
@Secondary
final class HeaderUserKeyResolver implements UserKeyResolver {

    /** The header name, made cheap to look up ({@link DomicileHeaders#fast}). */
    private final CharSequence header;

    HeaderUserKeyResolver(FilterProperties properties) {
        this.header = DomicileHeaders.fast(properties.userHeader());
    }

    @Override
    public Optional<String> resolve(HttpRequest<?> request) {
        String value = request.getHeaders().get(header);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
