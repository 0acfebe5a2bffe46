package dev.domicile.router;

import com.zaxxer.hikari.HikariDataSource;
import dev.domicile.partition.PartitionId;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.router.RoutingDecision.TokenOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * One endpoint as a binder uses it on every borrow: its configuration, its index in the monitor, its pool once made,
 * and the last decision made for it per reason and token outcome, so that a borrow that repeats a decision (same
 * partition, map version, epoch, intent and consistency, no lag, no wait: the steady state) reuses that record
 * instead of allocating one.
 *
 * <p>Thread-safe. The remembered decisions are read and replaced without synchronization: a decision is an
 * immutable record (final fields only), so a thread sees either a complete decision or an older one, and an older
 * one is used only if it is equal to the one it would make.
 */
final class Target {

    private static final int TOKENS = TokenOutcome.values().length;

    private final EndpointConfig config;
    private final int index;
    private final boolean inRouterSite;
    private final RoutingDecision[] recent = new RoutingDecision[Reason.values().length * TOKENS];
    private volatile HikariDataSource pool;

    /**
     * @param index        the endpoint's position in {@link RouterConfig#endpoints()}
     * @param inRouterSite whether the endpoint is in the router's own site ({@link RouterConfig#localSite()})
     */
    Target(EndpointConfig config, int index, boolean inRouterSite) {
        this.config = config;
        this.index = index;
        this.inRouterSite = inRouterSite;
    }

    /** Whether the endpoint is in the router's own site, known without comparing sites. */
    boolean inRouterSite() {
        return inRouterSite;
    }

    EndpointConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    /** The endpoint's current state. */
    EndpointState state(EndpointMonitor monitor) {
        return monitor.state(index);
    }

    /**
     * Borrows a connection from the endpoint's pool (made on first use).
     *
     * @throws SQLException if the pool could not hand one out in time
     * @throws IllegalStateException if the data source is closed
     */
    Connection borrow(Pools pools) throws SQLException {
        HikariDataSource known = pool;
        if (known == null || known.isClosed()) {
            known = pools.pool(config);
            pool = known;
        }
        return known.getConnection();
    }

    /**
     * A decision for this endpoint with no replica lag and no wait: the remembered one if it is equal, else a new one,
     * remembered for the next borrow.
     */
    RoutingDecision decision(PartitionId partition, long mapVersion, long epoch, Intent intent,
                             Consistency consistency, Reason reason, TokenOutcome token) {
        int slot = reason.ordinal() * TOKENS + token.ordinal();
        RoutingDecision last = recent[slot];
        if (last != null && last.mapVersion() == mapVersion && last.epoch() == epoch && last.intent() == intent
                && (last.consistency() == consistency || last.consistency().equals(consistency))
                && (last.partition() == partition || last.partition().equals(partition))) {
            return last;
        }
        RoutingDecision made = new RoutingDecision(partition, mapVersion, epoch, config.name(), config.site(), intent,
                consistency, reason, Duration.ZERO, token, Duration.ZERO);
        recent[slot] = made;
        return made;
    }

    @Override
    public String toString() {
        return "Target[" + config.name() + "]";
    }
}
