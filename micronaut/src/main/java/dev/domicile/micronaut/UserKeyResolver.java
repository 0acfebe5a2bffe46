package dev.domicile.micronaut;

import io.micronaut.http.HttpRequest;
import java.util.Optional;

/**
 * Finds the user key of a request: whose home the request is routed to. The default reads the header named by
 * {@code domicile.filter.user-header} ({@value DomicileHeaders#USER}); declare a bean of this type to replace it
 * (a JWT claim, a path variable, a session attribute).
 *
 * <p>Called once per request on the event loop before the controller runs, so it must not block. Implementations
 * must be thread-safe.
 */
@FunctionalInterface
public interface UserKeyResolver {

    /**
     * @return the user key, or empty if the request carries none ({@code domicile.filter.missing-user} decides); the
     *         key is checked by the partition map (1–256 UTF-8 bytes, no control characters), an invalid one is
     *         answered with 400
     */
    Optional<String> resolve(HttpRequest<?> request);
}
