package dev.domicile.router;

import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one request knows when it reaches the database: whose request it is, where that user's home is (resolved
 * once, when the context is made), which site serves it, what it intends and how fresh its reads must be.
 *
 * <p>Everything is fixed at creation except the causal tokens, which advance as the request commits writes, so that
 * the request's later reads, and the caller's next request ({@link #tokens()}), see them. Thread-safe.
 */
public final class RoutingContext {

    private final String userKey;
    private final Home home;
    private final SiteId localSite;
    private final Intent intent;
    private final Consistency consistency;
    private final AtomicReference<CausalTokens> tokens;
    /**
     * What the last binder that routed this context remembered for its partition (its endpoints there), so that
     * later borrows in the same request skip the lookup. Read and written without synchronization: the value is
     * immutable (final fields only) and each binder checks that it is its own. It keeps that data source's endpoint
     * objects reachable as long as the context is: a context lives for a request, not beyond.
     */
    Object routeHint;

    RoutingContext(String userKey, Home home, SiteId localSite, Intent intent, Consistency consistency,
                   CausalTokens tokens) {
        this.userKey = Objects.requireNonNull(userKey, "userKey");
        this.home = Objects.requireNonNull(home, "home");
        this.localSite = Objects.requireNonNull(localSite, "localSite");
        this.intent = intent;
        this.consistency = Objects.requireNonNull(consistency, "consistency");
        this.tokens = new AtomicReference<>(Objects.requireNonNull(tokens, "tokens"));
    }

    public String userKey() {
        return userKey;
    }

    /** The user's home, with the map version it was resolved from. */
    public Home home() {
        return home;
    }

    public PartitionId partition() {
        return home.partitionId();
    }

    public SiteId localSite() {
        return localSite;
    }

    /** The declared intent, or null if the connection decides (read-only flag, else write). */
    public Intent intent() {
        return intent;
    }

    public Consistency consistency() {
        return consistency;
    }

    /** The causal tokens as they stand now, including writes this request committed. */
    public CausalTokens tokens() {
        return tokens.get();
    }

    /** Records that this request committed a write at {@code position} in its partition. */
    void advance(PartitionId partition, long position) {
        tokens.updateAndGet(t -> t.advance(partition, position));
    }

    @Override
    public String toString() {
        return "RoutingContext[user=" + userKey + ", partition=" + partition() + ", site=" + localSite + ", intent="
                + intent + ", consistency=" + consistency + ", tokens=" + tokens.get().encode() + "]";
    }
}
