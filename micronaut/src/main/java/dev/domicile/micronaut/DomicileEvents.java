package dev.domicile.micronaut;

/**
 * Told what the filters and error handlers do with requests, for metrics. Every bean implementing it is called; every
 * method has a no-op default. Called on the request's thread (often an event loop): return at once, never throw.
 */
interface DomicileEvents {

    /** A request was sent to run at another site ({@code policy}: forwarded, redirected or rejected). */
    default void onSentAway(Placement placement, ForwardingPolicy policy) {
    }

    /** A write was answered 503 because no site could be confirmed to write its partition. */
    default void onUnavailable(Placement placement) {
    }

    /**
     * A write failed here and was answered with {@code status}: refused by write admission, its home unavailable, or
     * fenced by the database (SQLSTATE {@value RefusalResponses#FENCED_SQLSTATE}).
     *
     * @param kind {@code refused}, {@code home-unavailable}, {@code split-brain} or {@code fenced}
     */
    default void onWriteFailed(String kind, int status) {
    }
}
