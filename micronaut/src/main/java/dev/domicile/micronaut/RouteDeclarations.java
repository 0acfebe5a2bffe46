package dev.domicile.micronaut;

import dev.domicile.router.Consistency.Level;
import dev.domicile.router.Intent;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.http.HttpMethod;
import io.micronaut.management.endpoint.annotation.Endpoint;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a controller method declares about routing: {@link ReadOnly} and {@link Consistency} on the method or its
 * class, read from Micronaut's compile-time annotation metadata (no reflection). Thread-safe.
 *
 * <p>Design note: every request asks these questions, and an annotation lookup through a route's metadata hierarchy
 * costs more than the rest of the filter's work, so the answers are kept per route, keyed by the identity of the
 * route's annotation metadata (one instance per controller method, made at compile time). The caches are copied on
 * write (routes are few and fixed) and stop growing at {@value #MAX_CACHED} entries.
 */
final class RouteDeclarations {

    static final int MAX_CACHED = 4096;

    /** {@link Endpoint} (management) and {@link ReadOnly} of a route. */
    private record Marks(boolean endpoint, boolean readOnly) {
    }

    private static volatile Map<AnnotationMetadata, Marks> marks = new IdentityHashMap<>();

    private final ConversionService conversion;
    private volatile Map<AnnotationMetadata, Optional<dev.domicile.router.Consistency>> consistencies =
            new IdentityHashMap<>();

    RouteDeclarations(ConversionService conversion) {
        this.conversion = conversion;
    }

    /** READ for {@link ReadOnly} or a GET, HEAD or OPTIONS request; WRITE otherwise. */
    static Intent intent(HttpMethod method, AnnotationMetadata route) {
        if (marks(route).readOnly()) {
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
        Optional<dev.domicile.router.Consistency> known = consistencies.get(route);
        if (known != null) {
            return known;
        }
        Optional<dev.domicile.router.Consistency> read = readConsistency(route, routeName);
        synchronized (this) {
            if (consistencies.size() < MAX_CACHED) {
                Map<AnnotationMetadata, Optional<dev.domicile.router.Consistency>> copy =
                        new IdentityHashMap<>(consistencies);
                copy.put(route, read);
                consistencies = copy;
            }
        }
        return read;
    }

    /** Whether the route is a management endpoint (the filters leave those alone). */
    static boolean isEndpoint(AnnotationMetadata route) {
        return marks(route).endpoint();
    }

    private static Marks marks(AnnotationMetadata route) {
        Marks known = marks.get(route);
        if (known != null) {
            return known;
        }
        Marks read = new Marks(route.hasStereotype(Endpoint.class), route.hasAnnotation(ReadOnly.class));
        synchronized (RouteDeclarations.class) {
            if (marks.size() < MAX_CACHED) {
                Map<AnnotationMetadata, Marks> copy = new IdentityHashMap<>(marks);
                copy.put(route, read);
                marks = copy;
            }
        }
        return read;
    }

    private Optional<dev.domicile.router.Consistency> readConsistency(AnnotationMetadata route, Object routeName) {
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
