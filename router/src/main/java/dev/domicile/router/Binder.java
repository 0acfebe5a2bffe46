package dev.domicile.router;

import dev.domicile.authority.Admission;
import dev.domicile.authority.NotAuthoritativeException;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.router.RoutingDecision.TokenOutcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides where a connection goes and borrows it there: the routing rules of the data source.
 *
 * <p>Writes and STRONG reads go to the partition's primary. Other reads try the partition's replicas in the local
 * site, then in the partition's home site, keeping those the monitor reports up in their role and fresh enough for
 * the consistency level; a read-your-writes read whose replicas are all behind its token waits up to
 * {@link RouterConfig#readYourWritesWait()} on the first of them, then falls back to the primary (if allowed).
 * Thread-safe.
 */
final class Binder {

    /** A physical connection and why it was chosen. */
    record Bound(Connection connection, RoutingDecision decision, EndpointConfig endpoint) {
    }

    private record PartitionEndpoints(EndpointConfig primary, List<EndpointConfig> replicas) {
    }

    private static final String REPLAY_LSN = "SELECT pg_last_wal_replay_lsn()::text";

    private final RouterConfig config;
    private final EndpointMonitor monitor;
    private final Pools pools;
    private final Decisions decisions;
    private final Map<PartitionId, PartitionEndpoints> partitions = new HashMap<>();
    private final java.util.function.LongSupplier clockMicros;
    private final WriteAdmission admission;
    private final EpochStamps stamps = new EpochStamps();
    /** {@link Dialect#COCKROACHDB}'s rules, which replace these; null for PostgreSQL. */
    private final GatewayBinder gateways;

    /** @param admission decides whether writes may go out and with which epoch; null when authority is off */
    Binder(RouterConfig config, EndpointMonitor monitor, Pools pools, Decisions decisions, WriteAdmission admission) {
        this.config = config;
        this.admission = admission;
        this.monitor = monitor;
        this.pools = pools;
        this.decisions = decisions;
        this.clockMicros = monitor::nowEpochMicros;
        this.gateways = config.dialect() == Dialect.COCKROACHDB ? new GatewayBinder(config, monitor, pools, decisions)
                : null;
        Map<PartitionId, List<EndpointConfig>> replicas = new HashMap<>();
        Map<PartitionId, EndpointConfig> primaries = new HashMap<>();
        for (EndpointConfig e : config.endpoints()) {
            if (e.role() == Role.PRIMARY) {
                primaries.put(e.partition(), e);
            } else {
                replicas.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(e);
            }
        }
        primaries.forEach((p, primary) -> partitions.put(p,
                new PartitionEndpoints(primary, List.copyOf(replicas.getOrDefault(p, List.of())))));
    }

    /**
     * Chooses an endpoint and borrows a connection there.
     *
     * @param consistency overrides the context's consistency when not null
     */
    Bound bind(RoutingContext context, Intent intent, Consistency consistency) throws SQLException {
        if (gateways != null) {
            return gateways.bind(context, intent, consistency);
        }
        if (context == null) {
            PartitionId fallback = config.defaultPartition().orElseThrow(() -> new SQLException(
                    "no routing context is bound to this thread: wrap the work in router.forUser(key).run(...) or"
                            + " Routing.bind(context), or configure a defaultPartition", "08001"));
            return primary(partitions.get(fallback), null, intent, Consistency.STRONG, Reason.DEFAULT_PARTITION,
                    TokenOutcome.NOT_APPLICABLE, Duration.ZERO, new ArrayList<>());
        }
        PartitionEndpoints endpoints = partitions.get(context.partition());
        if (endpoints == null) {
            throw new SQLException("partition " + context.partition() + " (map version "
                    + context.home().mapVersion() + ") has no endpoints configured in this router", "08001");
        }
        if (consistency == null) {
            consistency = context.consistency();
        }
        if (intent == Intent.WRITE) {
            return write(endpoints, context, consistency);
        }
        if (consistency.level() == Consistency.Level.STRONG) {
            return primary(endpoints, context, intent, consistency, Reason.STRONG_READ, TokenOutcome.NOT_APPLICABLE,
                    Duration.ZERO, new ArrayList<>());
        }
        return read(endpoints, context, consistency);
    }

    /**
     * Where a connection with this home, intent and consistency would go now, without borrowing, waiting or
     * allocating: the first replica that fits (local site, then home site), else the primary.
     */
    EndpointConfig route(dev.domicile.partition.Home home, SiteId local, Intent intent, Consistency consistency,
                         long token) {
        if (gateways != null) {
            return gateways.route(home);
        }
        PartitionEndpoints endpoints = partitions.get(home.partitionId());
        if (endpoints == null) {
            throw new IllegalArgumentException("partition " + home.partitionId() + " has no endpoints");
        }
        if (intent == Intent.WRITE || consistency.level() == Consistency.Level.STRONG) {
            return endpoints.primary();
        }
        EndpointConfig replica = firstFit(endpoints, local, home.site(), consistency,
                consistency.level() == Consistency.Level.READ_YOUR_WRITES ? token : 0, null);
        return replica != null ? replica : endpoints.primary();
    }

    /** The first replica, local site first, then home site, that may serve the read now and is not in {@code skip}. */
    private EndpointConfig firstFit(PartitionEndpoints endpoints, SiteId local, SiteId home, Consistency consistency,
                                    long token, List<String> skip) {
        EndpointState primaryState = null;
        long nowNanos = 0;
        boolean bounded = consistency.level() == Consistency.Level.BOUNDED_STALENESS;
        if (bounded) {
            primaryState = monitor.state(endpoints.primary().name());
            nowNanos = System.nanoTime();
        }
        for (int pass = 0; pass < 2; pass++) {
            SiteId site = pass == 0 ? local : home;
            if (pass == 1 && home.equals(local)) {
                break;
            }
            List<EndpointConfig> replicas = endpoints.replicas();
            for (int i = 0; i < replicas.size(); i++) {
                EndpointConfig replica = replicas.get(i);
                if (!replica.site().equals(site) || (skip != null && skip.contains(replica.name()))) {
                    continue;
                }
                EndpointState state = monitor.state(replica.name());
                if (!state.usable() || (token != 0 && !state.reached(token))) {
                    continue;
                }
                if (bounded && state.stalenessNanos(primaryState, nowNanos, clockMicros)
                        > consistency.maxStaleness().toNanos()) {
                    continue;
                }
                return replica;
            }
        }
        return null;
    }

    private Bound read(PartitionEndpoints endpoints, RoutingContext context, Consistency consistency)
            throws SQLException {
        SiteId local = context.localSite();
        SiteId home = context.home().site();
        boolean ryw = consistency.level() == Consistency.Level.READ_YOUR_WRITES;
        long token = ryw ? context.tokens().positionOf(context.partition()) : 0;
        List<String> attempts = new ArrayList<>();
        List<String> failed = null;
        EndpointConfig replica;
        while ((replica = firstFit(endpoints, local, home, consistency, token, failed)) != null) {
            Connection connection = borrow(replica, attempts);
            if (connection != null) {
                Reason reason = replica.site().equals(local) ? Reason.LOCAL_REPLICA : Reason.HOME_SITE_REPLICA;
                Duration lag = lag(monitor.state(replica.name()), monitor.state(endpoints.primary().name()));
                return bound(connection, replica, context, Intent.READ, consistency, reason, lag,
                        token == 0 ? TokenOutcome.NOT_APPLICABLE : TokenOutcome.MET, Duration.ZERO);
            }
            failed = failed == null ? new ArrayList<>() : failed;
            failed.add(replica.name());
        }
        EndpointConfig behind = explain(endpoints, local, home, consistency, token, failed, attempts);
        long waitStart = System.nanoTime();
        if (behind != null && !config.readYourWritesWait().isZero()) {
            Bound waited = awaitToken(behind, token, context, consistency, attempts, waitStart);
            if (waited != null) {
                return waited;
            }
        }
        Duration waited = Duration.ofNanos(behind == null ? 0 : System.nanoTime() - waitStart);
        if (!config.fallbackToPrimary()) {
            throw new NoRouteException("no replica of " + context.partition() + " serves " + consistency
                    + " reads and fallback to the primary is off", attempts, null);
        }
        try {
            return primary(endpoints, context, Intent.READ, consistency, Reason.PRIMARY_FALLBACK,
                    token != 0 ? TokenOutcome.FELL_BACK : TokenOutcome.NOT_APPLICABLE, waited, attempts);
        } catch (HomeUnavailableException e) {
            Bound degraded = degraded(endpoints, context, consistency, token, waited);
            if (degraded == null) {
                throw e;
            }
            return degraded;
        }
    }

    /**
     * Degraded mode, when configured: the home primary is unavailable, so a read that no replica could serve at its
     * consistency level is served by a local (then home-site) replica within the degraded staleness bound, and the
     * decision says so. Null if degraded reads are off or no replica is fresh enough.
     */
    private Bound degraded(PartitionEndpoints endpoints, RoutingContext context, Consistency consistency, long token,
                           Duration waited) {
        if (config.degradedReadStaleness().isEmpty()) {
            return null;
        }
        Consistency bound = Consistency.boundedStaleness(config.degradedReadStaleness().get());
        EndpointConfig replica = firstFit(endpoints, context.localSite(), context.home().site(), bound, 0, null);
        if (replica == null) {
            return null;
        }
        Connection connection = borrow(replica, new ArrayList<>());
        if (connection == null) {
            return null;
        }
        Duration lag = lag(monitor.state(replica.name()), monitor.state(endpoints.primary().name()));
        return bound(connection, replica, context, Intent.READ, consistency, Reason.DEGRADED_REPLICA, lag,
                token != 0 ? TokenOutcome.UNMET : TokenOutcome.NOT_APPLICABLE, waited);
    }

    /**
     * The lag a decision reports: zero when the replica had replayed everything the primary had written at their
     * last probes (the common case, at no cost), else its estimated staleness now.
     */
    private Duration lag(EndpointState replica, EndpointState primary) {
        if (primary != null && primary.health() == EndpointState.Health.UP && replica.reached(primary.lsn())) {
            return Duration.ZERO;
        }
        return replica.staleness(primary, System.nanoTime(), clockMicros);
    }

    /**
     * The slow path: says in {@code attempts} why each candidate replica could not serve, and returns the one behind
     * the token that is most likely to catch up first (furthest along; local first on ties), or null.
     */
    private EndpointConfig explain(PartitionEndpoints endpoints, SiteId local, SiteId home, Consistency consistency,
                                   long token, List<String> failed, List<String> attempts) {
        EndpointState primaryState = monitor.state(endpoints.primary().name());
        long nowNanos = System.nanoTime();
        EndpointConfig behind = null;
        long behindLsn = 0;
        for (EndpointConfig replica : endpoints.replicas()) {
            boolean candidate = replica.site().equals(local) || replica.site().equals(home);
            if (!candidate || (failed != null && failed.contains(replica.name()))) {
                continue;
            }
            EndpointState state = monitor.state(replica.name());
            Duration lag = state.staleness(primaryState, nowNanos, clockMicros);
            if (!state.usable()) {
                attempts.add(replica.name() + ": " + state.health()
                        + (state.lastError() == null ? "" : " (" + state.lastError() + ")"));
            } else if (consistency.level() == Consistency.Level.BOUNDED_STALENESS
                    && lag.compareTo(consistency.maxStaleness()) > 0) {
                attempts.add(replica.name() + ": lag " + lag.toMillis() + " ms exceeds " + consistency);
            } else if (token != 0 && !state.reached(token)) {
                attempts.add(replica.name() + ": replayed " + Lsns.format(state.lsn()) + ", behind token "
                        + Lsns.format(token));
                boolean better = behind == null || Long.compareUnsigned(state.lsn(), behindLsn) > 0
                        || (state.lsn() == behindLsn && replica.site().equals(local)
                        && !behind.site().equals(local));
                if (better) {
                    behind = replica;
                    behindLsn = state.lsn();
                }
            }
        }
        return behind;
    }

    /** Polls {@code replica} until it has replayed {@code token} or the wait is over; null if it did not. */
    private Bound awaitToken(EndpointConfig replica, long token, RoutingContext context, Consistency consistency,
                             List<String> attempts, long waitStart) throws SQLException {
        Connection connection = borrow(replica, attempts);
        if (connection == null) {
            return null;
        }
        long deadline = waitStart + config.readYourWritesWait().toNanos();
        try (Statement statement = connection.createStatement()) {
            while (true) {
                long replayed;
                decisions.routerStatement();
                try (ResultSet rs = statement.executeQuery(REPLAY_LSN)) {
                    rs.next();
                    String text = rs.getString(1);
                    replayed = text == null ? 0 : Lsns.parse(text);
                }
                if (Long.compareUnsigned(replayed, token) >= 0) {
                    monitor.observed(replica.name(), replayed);
                    Reason reason = replica.site().equals(context.localSite()) ? Reason.LOCAL_REPLICA
                            : Reason.HOME_SITE_REPLICA;
                    return bound(connection, replica, context, Intent.READ, consistency, reason, Duration.ZERO,
                            TokenOutcome.WAITED, Duration.ofNanos(System.nanoTime() - waitStart));
                }
                if (System.nanoTime() >= deadline) {
                    attempts.add(replica.name() + ": did not reach token " + Lsns.format(token) + " within "
                            + config.readYourWritesWait().toMillis() + " ms");
                    connection.close();
                    return null;
                }
                Thread.sleep(1);
            }
        } catch (SQLException e) {
            attempts.add(replica.name() + ": " + e.getMessage());
            closeQuietly(connection);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(connection);
            throw new SQLException("interrupted while waiting for a replica to reach the causal token", "08001", e);
        }
    }

    /** A write: admitted by authority (when on), then the primary, its session stamped with the epoch. */
    private Bound write(PartitionEndpoints endpoints, RoutingContext context, Consistency consistency)
            throws SQLException {
        checkSingleWriter(endpoints);
        if (admission == null) {
            return primary(endpoints, context, Intent.WRITE, consistency, Reason.WRITE_TO_PRIMARY,
                    TokenOutcome.NOT_APPLICABLE, Duration.ZERO, new ArrayList<>());
        }
        Admission admitted;
        try {
            admitted = admission.admit(endpoints.primary().partition());
        } catch (NotAuthoritativeException e) {
            throw new WriteRefusedException(e);
        }
        Bound bound = primary(endpoints, context, Intent.WRITE, consistency, Reason.WRITE_TO_PRIMARY,
                TokenOutcome.NOT_APPLICABLE, Duration.ZERO, new ArrayList<>(), admitted.epoch());
        try {
            if (stamps.ensure(bound.connection(), admitted.epoch())) {
                decisions.routerStatement();
            }
        } catch (SQLException e) {
            closeQuietly(bound.connection());
            throw e;
        }
        return bound;
    }

    /**
     * The partition's primary now: the configured one while it is writable; with authority on and after a failover,
     * the one database configured as a replica that has been promoted (out of recovery). With more than one candidate
     * (a split brain, refused for writes elsewhere) or none, or with authority off (nothing would fence a promotion
     * made behind the router's back), the configured one.
     */
    private EndpointConfig currentPrimary(PartitionEndpoints endpoints) {
        if (admission == null || writable(endpoints.primary())) {
            return endpoints.primary();
        }
        EndpointConfig promoted = null;
        List<EndpointConfig> replicas = endpoints.replicas();
        for (int i = 0; i < replicas.size(); i++) {
            if (writable(replicas.get(i))) {
                if (promoted != null) {
                    return endpoints.primary();
                }
                promoted = replicas.get(i);
            }
        }
        return promoted != null ? promoted : endpoints.primary();
    }

    /**
     * Quarantines writes while more than one database of the partition is writable (not in recovery and not retired
     * by the fence at its last probe, whatever its configured role): a split brain. An old primary that came back
     * after a failover and was retired ({@code Fence.retire}) refuses every write, so it is not a second writer. Reads one state per endpoint; allocates only to refuse.
     */
    private void checkSingleWriter(PartitionEndpoints endpoints) throws SplitBrainException {
        int writable = writable(endpoints.primary()) ? 1 : 0;
        List<EndpointConfig> replicas = endpoints.replicas();
        for (int i = 0; i < replicas.size(); i++) {
            writable += writable(replicas.get(i)) ? 1 : 0;
        }
        if (writable > 1) {
            List<String> names = new ArrayList<>();
            if (writable(endpoints.primary())) {
                names.add(endpoints.primary().name());
            }
            replicas.stream().filter(this::writable).forEach(r -> names.add(r.name()));
            decisions.splitBrain();
            throw new SplitBrainException(endpoints.primary().partition(), names);
        }
    }

    /** Up (in any role), out of recovery, and not retired by the fence: a database that can accept writes. */
    private boolean writable(EndpointConfig endpoint) {
        EndpointState state = monitor.state(endpoint.name());
        return (state.health() == EndpointState.Health.UP || state.health() == EndpointState.Health.WRONG_ROLE)
                && !state.inRecovery() && !state.retired();
    }

    /** Whether writes are admitted by authority and stamped with its epoch. */
    boolean fenced() {
        return admission != null;
    }

    /**
     * Whether committed writes advance the context's causal token (PostgreSQL). With CockroachDB a present-time read
     * sees every committed write from any gateway, so there is no token to keep.
     */
    boolean tracksTokens() {
        return gateways == null;
    }

    private Bound primary(PartitionEndpoints endpoints, RoutingContext context, Intent intent,
                          Consistency consistency, Reason reason, TokenOutcome token, Duration waited,
                          List<String> attempts) throws SQLException {
        return primary(endpoints, context, intent, consistency, reason, token, waited, attempts, -1);
    }

    private Bound primary(PartitionEndpoints endpoints, RoutingContext context, Intent intent,
                          Consistency consistency, Reason reason, TokenOutcome token, Duration waited,
                          List<String> attempts, long epoch) throws SQLException {
        EndpointConfig primary = currentPrimary(endpoints);
        if (primary != endpoints.primary() && reason == Reason.WRITE_TO_PRIMARY) {
            reason = Reason.WRITE_TO_PROMOTED;
        }
        EndpointState state = monitor.state(primary.name());
        boolean promoted = primary != endpoints.primary();
        if (state.health() == EndpointState.Health.DOWN
                || (state.health() == EndpointState.Health.WRONG_ROLE && !promoted)) {
            attempts.add(primary.name() + ": " + state.health() + " (" + state.lastError() + ")");
            throw new HomeUnavailableException("the primary of " + primary.partition() + " cannot serve a " + intent,
                    attempts, config.maxDownBackoff());
        }
        Connection connection = borrow(primary, attempts);
        if (connection == null) {
            throw new HomeUnavailableException("the primary of " + primary.partition() + " cannot serve a " + intent,
                    attempts, config.maxDownBackoff());
        }
        if (intent == Intent.READ) {
            try {
                decisions.routerStatement();
                connection.setReadOnly(true);
            } catch (SQLException e) {
                closeQuietly(connection);
                throw e;
            }
        }
        return bound(connection, primary, context, intent, consistency, reason, Duration.ZERO, token, waited, epoch);
    }

    private Connection borrow(EndpointConfig endpoint, List<String> attempts) {
        try {
            return pools.pool(endpoint).getConnection();
        } catch (SQLException e) {
            attempts.add(endpoint.name() + ": " + e.getMessage());
            return null;
        }
    }

    private Bound bound(Connection connection, EndpointConfig endpoint, RoutingContext context, Intent intent,
                        Consistency consistency, Reason reason, Duration lag, TokenOutcome token, Duration waited) {
        return bound(connection, endpoint, context, intent, consistency, reason, lag, token, waited, -1);
    }

    private Bound bound(Connection connection, EndpointConfig endpoint, RoutingContext context, Intent intent,
                        Consistency consistency, Reason reason, Duration lag, TokenOutcome token, Duration waited,
                        long epoch) {
        RoutingDecision decision = new RoutingDecision(endpoint.partition(),
                context == null ? -1 : context.home().mapVersion(), epoch, endpoint.name(), endpoint.site(), intent,
                consistency, reason, lag, token, waited);
        decisions.publish(decision);
        return new Bound(connection, decision, endpoint);
    }

    /** Counts a statement the router sent for its own purposes. */
    void routerStatement() {
        decisions.routerStatement();
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // returning a broken connection to its pool
        }
    }
}
