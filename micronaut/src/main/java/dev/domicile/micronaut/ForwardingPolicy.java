package dev.domicile.micronaut;

/**
 * What this site does with a request that must run at the user's home site ({@code domicile.forwarding.policy}): a
 * write for a user homed at another site, or any request with a user at an edge-only site.
 */
public enum ForwardingPolicy {
    /**
     * Proxy the request (body streamed) to the home site's {@code base-url}, signed with
     * {@value DomicileHeaders#FORWARDED}; the home site's response is returned as is. Needs
     * {@code domicile.forwarding.secret}.
     */
    FORWARD,
    /**
     * Answer with the home site's URL for the same path and query in {@code Location}, as {@code 307 Temporary
     * Redirect} or {@code 421 Misdirected Request} ({@code domicile.forwarding.redirect-status}).
     */
    REDIRECT,
    /** Answer {@code 503 Service Unavailable} with {@code Retry-After} ({@code domicile.forwarding.retry-after}). */
    REJECT,
    /**
     * The default, and the behaviour before forwarding existed: run the request here; its statements are routed to
     * the home partition's primary over JDBC. Not allowed at an edge-only site.
     */
    LOCAL
}
