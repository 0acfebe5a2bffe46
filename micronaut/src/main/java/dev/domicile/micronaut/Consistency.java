package dev.domicile.micronaut;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The consistency of the reads of a controller method (or of every method of a controller), instead of
 * {@code domicile.router.default-consistency}. Writes always go to the primary.
 *
 * <pre>{@code
 * import static dev.domicile.router.Consistency.Level.BOUNDED_STALENESS;
 *
 * @Get("/feed")
 * @Consistency(level = BOUNDED_STALENESS, maxStaleness = "2s")
 * List<Post> feed() { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Consistency {

    /** The level; see {@link dev.domicile.router.Consistency.Level}. */
    dev.domicile.router.Consistency.Level level();

    /**
     * For {@code BOUNDED_STALENESS} only, and then required: the largest replica lag accepted, as a Micronaut
     * duration ({@code 500ms}, {@code 2s}, {@code 1m}). A bad value fails the request with 500 and a message naming
     * the method.
     */
    String maxStaleness() default "";
}
