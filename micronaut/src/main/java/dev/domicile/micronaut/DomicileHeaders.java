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

    /**
     * On a request one site forwarded to the user's home site: the signed {@code ForwardedHeader} (user, home, epoch,
     * deadline, hop count and an HMAC-SHA256 over them and the request line). A request carrying it is served only if
     * it verifies; see {@code domicile.forwarding.*}.
     */
    public static final String FORWARDED = "X-Domicile-Forwarded";

    private DomicileHeaders() {
    }
}
