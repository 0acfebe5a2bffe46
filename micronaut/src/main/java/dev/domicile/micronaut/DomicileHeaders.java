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

    /**
     * {@code text} (a header name, or a constant header value) as Netty's {@link io.netty.util.AsciiString} if it is
     * ASCII, else itself: Netty's headers hash a name case-insensitively on every lookup and validate names and values
     * on every add, work they cache (the hash) or do faster for an {@code AsciiString}. The same text either way; for
     * the filters' per-request header work.
     */
    static CharSequence fast(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return text;
            }
        }
        return io.netty.util.AsciiString.cached(text);
    }
}
