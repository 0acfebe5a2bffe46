package dev.domicile.micronaut;

/** What the request filter does with a request whose user key cannot be resolved ({@code domicile.filter.missing-user}). */
public enum MissingUserKey {
    /** Answer {@code 400 Bad Request}, naming what was missing. The default. */
    REJECT,
    /**
     * Handle the request without a routing context: its database connections go to the router's default partition
     * ({@code domicile.router.default-partition}) or fail.
     */
    PASS_THROUGH
}
