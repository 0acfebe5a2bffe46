package dev.domicile.micronaut;

/** The HTTP headers the request filter reads and writes. */
public final class DomicileHeaders {

    /** The default header carrying the user key (see {@code domicile.filter.user-header}). */
    public static final String USER = "X-Domicile-User";

    /**
     * The caller's causal tokens ({@code CausalTokens.encode()} form): read from the request, written on the response
     * with the writes the request committed. A client sends back what it last received.
     */
    public static final String TOKENS = "X-Domicile-Tokens";

    /** On every response: the site that served it. */
    public static final String SITE = "X-Domicile-Site";

    /** On responses to requests with a user: the user's home site. */
    public static final String HOME = "X-Domicile-Home";

    private DomicileHeaders() {
    }
}
