package dev.domicile.micronaut;

import dev.domicile.router.Consistency.Level;
import dev.domicile.router.Intent;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.http.HttpMethod;
import java.time.Duration;
import java.util.Optional;

/**
 * What a controller method declares about routing: {@link ReadOnly} and {@link Consistency} on the method or its
 * class, read from Micronaut's compile-time annotation metadata (no reflection). Stateless and thread-safe.
 */
final class RouteDeclarations {

    private final ConversionService conversion;

    RouteDeclarations(ConversionService conversion) {
        this.conversion = conversion;
    }

    /** READ for {@link ReadOnly} or a GET, HEAD or OPTIONS request; WRITE otherwise. */
    static Intent intent(HttpMethod method, AnnotationMetadata route) {
        if (route.hasAnnotation(ReadOnly.class)) {
            return Intent.READ;
        }
        return switch (method) {
            case GET, HEAD, OPTIONS -> Intent.READ;
            default -> Intent.WRITE;
        };
    }

    /**
     * The consistency the route declares, if it does.
     *
     * @throws IllegalStateException naming the route if its {@link Consistency} annotation is malformed
     */
    Optional<dev.domicile.router.Consistency> consistency(AnnotationMetadata route, Object routeName) {
        Optional<Level> level = route.enumValue(Consistency.class, "level", Level.class);
        if (level.isEmpty()) {
            return Optional.empty();
        }
        String text = route.stringValue(Consistency.class, "maxStaleness").orElse("");
        try {
            if (text.isEmpty()) {
                return Optional.of(new dev.domicile.router.Consistency(level.get(), Duration.ZERO));
            }
            Duration bound = conversion.convert(text, Duration.class).orElseThrow(() ->
                    new IllegalArgumentException("maxStaleness '" + text + "' is not a duration (e.g. 500ms, 2s)"));
            return Optional.of(new dev.domicile.router.Consistency(level.get(), bound));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("@Consistency on " + routeName + " is malformed: " + e.getMessage(), e);
        }
    }
}
