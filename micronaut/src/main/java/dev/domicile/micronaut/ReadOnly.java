package dev.domicile.micronaut;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a controller method (or every method of a controller) only reads, whatever its HTTP method, so its
 * connections go to a replica fresh enough for the request's consistency. A write attempted under it fails as on any
 * read-only connection.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ReadOnly {
}
