package dev.domicile.session;

/**
 * What a store in site B does with a session whose home is site A.
 *
 * <p>The default is {@link #REMOTE}: it is the safest policy that works without help from another layer. It always
 * reads and writes the one authoritative copy, so revocation, logout and timeouts take effect at once, and it fails
 * closed (a {@link RegionUnavailableException}) when A cannot be reached. {@link #FORWARD} is as safe and cheaper on
 * the WAN but needs an HTTP layer that forwards the request; {@link #LOCAL_READ_ONLY} trades freshness for latency.
 */
public enum CrossRegionPolicy {

    /** Read and write the session in A's Redis over the WAN. The default. */
    REMOTE,

    /**
     * Touch no Redis: {@link RegionalSessionStore#load(String)} answers {@link SessionLookup.Forward} naming A, and the
     * caller (the Micronaut layer) forwards the whole request to A.
     */
    FORWARD,

    /**
     * Serve a read-only copy fetched from A and kept in this process for at most
     * {@link SessionStoreConfig#readOnlyStaleness()}; a revocation event evicts it at once. Saving it throws
     * {@link ReadOnlySessionException}.
     */
    LOCAL_READ_ONLY
}
