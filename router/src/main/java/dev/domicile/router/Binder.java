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
 * Decides where a connection goes, borrows it there and attaches it to the routed connection: the routing rules of
 * the data source.
 *
 * <p>Writes and STRONG reads go to the partition's primary. Other reads try the partition's replicas in the local
 * site, then in the partition's home site, keeping those the monitor reports up in their role and fresh enough for
 * the consistency level; a read-your-writes read whose replicas are all behind its token waits up to
 * {@link RouterConfig#readYourWritesWait()} on the first of them, then falls back to the primary (if allowed).
 * Thread-safe.
 *
 * <p>Design note: this class is large because the rules share their candidates, attempts and fallbacks. The usual
 * borrow (a fresh replica or the primary, first try) allocates nothing here: states are read by index, each endpoint's
 * pool is remembered by its {@link Target}, a repeated decision is reused, and the lists that explain a failure are
 * made only when something failed. It also compares no names: the context remembers its partition's endpoints
 * ({@code RoutingContext.routeHint}) and the replicas in this router's site are listed once per partition.
 */
final class Binder {

    /**
     * A partition's endpoints: its configured primary, its replicas in configuration order, and those of them in this
     * router's own site ({@link RouterConfig#localSite()}), so that the usual read scans them without comparing sites.
     */
    private record PartitionEndpoints(Binder owner, Target primary, List<Target> replicas,
                                      List<Target> localReplicas) {
    }

    private static final String REPLAY_LSN = "SELECT pg_last_wal_replay_lsn()::text";

    private final RouterConfig config;
    private final EndpointMonitor monitor;
    private final Pools pools;
    private final Decisions decisions;
    private final OpenWrites openWrites;
    private final Map<PartitionId, PartitionEndpoints> partitions = new HashMap<>();
    private final java.util.function.LongSupplier clockMicros;
    private final WriteAdmission admission;
    private final EpochStamps stamps = new EpochStamps();
    /** {@link Dialect#COCKROACHDB}'s rules, which replace these; null for PostgreSQL. */
    private final GatewayBinder gateways;

    /**
     * @param openWrites the write connections bound now, when writes are fenced
     * @param admission  decides whether writes may go out and with which epoch; null when authority is off
     */
    Binder(RouterConfig config, EndpointMonitor monitor, Pools pools, Decisions decisions, OpenWrites openWrites,
           WriteAdmission admission) {
        this.config = config;
        this.admission = admission;
        this.monitor = monitor;
        this.pools = pools;
        this.decisions = decisions;
        this.openWrites = openWrites;
        this.clockMicros = monitor::nowEpochMicros;
        this.gateways = config.dialect() == Dialect.COCKROACHDB ? new GatewayBinder(config, monitor, pools, decisions)
                : null;
        Map<PartitionId, List<Target>> replicas = new HashMap<>();
        Map<PartitionId, Target> primaries = new HashMap<>();
        List<EndpointConfig> endpoints = config.endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointConfig e = endpoints.get(i);
            Target target = new Target(e, i, e.site().equals(config.localSite()));
            if (e.role() == Role.PRIMARY) {
                primaries.put(e.partition(), target);
            } else {
                replicas.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(target);
            }
        }
        primaries.forEach((p, primary) -> {
            List<Target> all = List.copyOf(replicas.getOrDefault(p, List.of()));
            partitions.put(p, new PartitionEndpoints(this, primary, all,
                    all.stream().filter(Target::inRouterSite).toList()));
        });
    }

    /**
     * Chooses an endpoint, borrows a connection there and {@linkplain LazyConnection#attach attaches} it to
     * {@code connection}; attaches nothing if it throws.
     *
     * @param consistency overrides the context's consistency when not null
     */
    void bind(LazyConnection connection, RoutingContext context, Intent intent, Consistency consistency)
            throws SQLException {
        if (gateways != null) {
            gateways.bind(connection, context, intent, consistency);
            return;
        }
        if (context == null) {
            PartitionId fallback = config.defaultPartition().orElseThrow(() -> new SQLException(
                    "no routing context is bound to this thread: wrap the work in router.forUser(key).run(...) or"
                            + " Routing.bind(context), or configure a defaultPartition", "08001"));
            primary(connection, partitions.get(fallback), null, intent, Consistency.STRONG, Reason.DEFAULT_PARTITION,
                    TokenOutcome.NOT_APPLICABLE, Duration.ZERO, null, null);
            return;
        }
        PartitionEndpoints endpoints = endpointsOf(context);
        if (endpoints == null) {
            throw new SQLException("partition " + context.partition() + " (map version "
                    + context.home().mapVersion() + ") has no endpoints configured in this router", "08001");
        }
        if (consistency == null) {
            consistency = context.consistency();
        }
        if (intent == Intent.WRITE) {
            write(connection, endpoints, context, consistency);
        } else if (consistency.level() == Consistency.Level.STRONG) {
            primary(connection, endpoints, context, intent, consistency, Reason.STRONG_READ,
                    TokenOutcome.NOT_APPLICABLE, Duration.ZERO, null, null);
        } else {
            read(connection, endpoints, context, consistency);
        }
    }

    /**
     * The endpoints of the context's partition: those this binder remembered in the context when it last routed it (a
     * context's partition never changes, nor does a binder's configuration), else looked up and remembered there.
     */
    private PartitionEndpoints endpointsOf(RoutingContext context) {
        if (context.routeHint instanceof PartitionEndpoints known && known.owner() == this) {
            return known;
        }
        PartitionEndpoints endpoints = partitions.get(context.partition());
        if (endpoints != null) {
            context.routeHint = endpoints;
        }
        return endpoints;
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
            return endpoints.primary().config();
        }
        Target replica = firstFit(endpoints, local, home.site(), consistency,
                consistency.level() == Consistency.Level.READ_YOUR_WRITES ? token : 0, null);
        return (replica != null ? replica : endpoints.primary()).config();
    }

    /** The first replica, local site first, then home site, that may serve the read now and is not in {@code skip}. */
    private Target firstFit(PartitionEndpoints endpoints, SiteId local, SiteId home, Consistency consistency,
                            long token, List<String> skip) {
        EndpointState primaryState = null;
        long nowNanos = 0;
        boolean bounded = consistency.level() == Consistency.Level.BOUNDED_STALENESS;
        if (bounded) {
            primaryState = endpoints.primary().state(monitor);
            nowNanos = System.nanoTime();
        }
        for (int pass = 0; pass < 2; pass++) {
            SiteId site = pass == 0 ? local : home;
            if (pass == 1 && home.equals(local)) {
                break;
            }
            // This router's own site (as in every context its Router makes): the replicas there, found once.
            boolean own = site == config.localSite();
            List<Target> replicas = own ? endpoints.localReplicas() : endpoints.replicas();
            for (int i = 0; i < replicas.size(); i++) {
                Target replica = replicas.get(i);
                if ((!own && !replica.config().site().equals(site))
                        || (skip != null && skip.contains(replica.name()))) {
                    continue;
                }
                EndpointState state = replica.state(monitor);
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

    /**
     * A read that is not STRONG. The usual case (the first fitting replica hands out a connection) is kept small
     * enough to be compiled into the borrow; anything else continues in {@link #readAfterFirstTry}.
     */
    private void read(LazyConnection connection, PartitionEndpoints endpoints, RoutingContext context,
                      Consistency consistency) throws SQLException {
        SiteId local = context.localSite();
        SiteId home = context.home().site();
        long token = consistency.level() == Consistency.Level.READ_YOUR_WRITES
                ? context.tokens().positionOf(context.partition()) : 0;
        Target replica = firstFit(endpoints, local, home, consistency, token, null);
        if (replica == null) {
            readAfterFirstTry(connection, endpoints, context, consistency, token, null, null);
            return;
        }
        Connection physical;
        try {
            physical = replica.borrow(pools);
        } catch (SQLException e) {
            readAfterFirstTry(connection, endpoints, context, consistency, token,
                    note(null, replica.name() + ": " + e.getMessage()), note(null, replica.name()));
            return;
        }
        attachReplica(connection, physical, replica, endpoints, context, consistency, token);
    }

    private void attachReplica(LazyConnection connection, Connection physical, Target replica,
                               PartitionEndpoints endpoints, RoutingContext context, Consistency consistency,
                               long token) {
        Reason reason = inSite(replica, context.localSite()) ? Reason.LOCAL_REPLICA : Reason.HOME_SITE_REPLICA;
        Duration lag = lag(replica.state(monitor), endpoints.primary().state(monitor));
        attach(connection, physical, replica, context, Intent.READ, consistency, reason, lag,
                token == 0 ? TokenOutcome.NOT_APPLICABLE : TokenOutcome.MET, Duration.ZERO, -1);
    }

    /**
     * The rest of a read: the other fitting replicas (skipping those in {@code failed}), then a wait for a replica
     * behind the token, then the primary, then degraded mode.
     *
     * @param attempts what failed so far and why, or null
     * @param failed   the names of replicas whose pool failed; null means no replica fits at all (the first try
     *                 found none), so the other replicas are not tried
     */
    private void readAfterFirstTry(LazyConnection connection, PartitionEndpoints endpoints, RoutingContext context,
                                   Consistency consistency, long token, List<String> attempts, List<String> failed)
            throws SQLException {
        SiteId local = context.localSite();
        SiteId home = context.home().site();
        Target replica;
        while (failed != null && (replica = firstFit(endpoints, local, home, consistency, token, failed)) != null) {
            Connection physical;
            try {
                physical = replica.borrow(pools);
            } catch (SQLException e) {
                attempts = note(attempts, replica.name() + ": " + e.getMessage());
                failed = note(failed, replica.name());
                continue;
            }
            attachReplica(connection, physical, replica, endpoints, context, consistency, token);
            return;
        }
        attempts = attempts == null ? new ArrayList<>() : attempts;
        Target behind = explain(endpoints, local, home, consistency, token, failed, attempts);
        long waitStart = System.nanoTime();
        if (behind != null && !config.readYourWritesWait().isZero()
                && awaitToken(connection, behind, token, context, consistency, attempts, waitStart)) {
            return;
        }
        Duration waited = Duration.ofNanos(behind == null ? 0 : System.nanoTime() - waitStart);
        if (!config.fallbackToPrimary()) {
            throw new NoRouteException("no replica of " + context.partition() + " serves " + consistency
                    + " reads and fallback to the primary is off", attempts, null);
        }
        try {
            primary(connection, endpoints, context, Intent.READ, consistency, Reason.PRIMARY_FALLBACK,
                    token != 0 ? TokenOutcome.FELL_BACK : TokenOutcome.NOT_APPLICABLE, waited, attempts, null);
        } catch (HomeUnavailableException e) {
            if (!degraded(connection, endpoints, context, consistency, token, waited)) {
                throw e;
            }
        }
    }

    /** Whether {@code target} is in {@code site}; compares no names when that is this router's own site. */
    private boolean inSite(Target target, SiteId site) {
        return site == config.localSite() ? target.inRouterSite() : target.config().site().equals(site);
    }

    /** {@code attempts} with {@code line} added; a new list if it was null (nothing failed before). */
    private static List<String> note(List<String> attempts, String line) {
        List<String> list = attempts == null ? new ArrayList<>() : attempts;
        list.add(line);
        return list;
    }

    /**
     * Degraded mode, when configured: the home primary is unavailable, so a read that no replica could serve at its
     * consistency level is served by a local (then home-site) replica within the degraded staleness bound, and the
     * decision says so. False (nothing attached) if degraded reads are off or no replica is fresh enough.
     */
    private boolean degraded(LazyConnection connection, PartitionEndpoints endpoints, RoutingContext context,
                             Consistency consistency, long token, Duration waited) {
        if (config.degradedReadStaleness().isEmpty()) {
            return false;
        }
        Consistency bound = Consistency.boundedStaleness(config.degradedReadStaleness().get());
        Target replica = firstFit(endpoints, context.localSite(), context.home().site(), bound, 0, null);
        if (replica == null) {
            return false;
        }
        Connection physical;
        try {
            physical = replica.borrow(pools);
        } catch (SQLException e) {
            return false;
        }
        Duration lag = lag(replica.state(monitor), endpoints.primary().state(monitor));
        attach(connection, physical, replica, context, Intent.READ, consistency, Reason.DEGRADED_REPLICA, lag,
                token != 0 ? TokenOutcome.UNMET : TokenOutcome.NOT_APPLICABLE, waited, -1);
        return true;
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
    private Target explain(PartitionEndpoints endpoints, SiteId local, SiteId home, Consistency consistency,
                           long token, List<String> failed, List<String> attempts) {
        EndpointState primaryState = endpoints.primary().state(monitor);
        long nowNanos = System.nanoTime();
        Target behind = null;
        long behindLsn = 0;
        for (Target replica : endpoints.replicas()) {
            SiteId site = replica.config().site();
            boolean candidate = site.equals(local) || site.equals(home);
            if (!candidate || (failed != null && failed.contains(replica.name()))) {
                continue;
            }
            EndpointState state = replica.state(monitor);
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
                        || (state.lsn() == behindLsn && site.equals(local)
                        && !behind.config().site().equals(local));
                if (better) {
                    behind = replica;
                    behindLsn = state.lsn();
                }
            }
        }
        return behind;
    }

    /**
     * Polls {@code replica} until it has replayed {@code token} or the wait is over; attaches the connection and
     * returns true if it did.
     */
    private boolean awaitToken(LazyConnection connection, Target replica, long token, RoutingContext context,
                               Consistency consistency, List<String> attempts, long waitStart) throws SQLException {
        Connection physical;
        try {
            physical = replica.borrow(pools);
        } catch (SQLException e) {
            attempts.add(replica.name() + ": " + e.getMessage());
            return false;
        }
        long deadline = waitStart + config.readYourWritesWait().toNanos();
        long replayed;
        Duration waited;
        try (Statement statement = physical.createStatement()) {
            while (true) {
                decisions.routerStatement();
                try (ResultSet rs = statement.executeQuery(REPLAY_LSN)) {
                    rs.next();
                    String text = rs.getString(1);
                    replayed = text == null ? 0 : Lsns.parse(text);
                }
                if (Long.compareUnsigned(replayed, token) >= 0) {
                    waited = Duration.ofNanos(System.nanoTime() - waitStart);
                    break;
                }
                if (System.nanoTime() >= deadline) {
                    attempts.add(replica.name() + ": did not reach token " + Lsns.format(token) + " within "
                            + config.readYourWritesWait().toMillis() + " ms");
                    physical.close();
                    return false;
                }
                Thread.sleep(1);
            }
        } catch (SQLException e) {
            attempts.add(replica.name() + ": " + e.getMessage());
            closeQuietly(physical);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(physical);
            throw new SQLException("interrupted while waiting for a replica to reach the causal token", "08001", e);
        }
        monitor.observed(replica.name(), replayed);
        Reason reason = inSite(replica, context.localSite()) ? Reason.LOCAL_REPLICA : Reason.HOME_SITE_REPLICA;
        attach(connection, physical, replica, context, Intent.READ, consistency, reason, Duration.ZERO,
                TokenOutcome.WAITED, waited, -1);
        return true;
    }

    /** A write: admitted by authority (when on), then the primary, its session stamped with the epoch. */
    private void write(LazyConnection connection, PartitionEndpoints endpoints, RoutingContext context,
                       Consistency consistency) throws SQLException {
        checkSingleWriter(endpoints);
        Admission admitted = null;
        if (admission != null) {
            try {
                admitted = admission.admit(endpoints.primary().config().partition());
            } catch (NotAuthoritativeException e) {
                throw new WriteRefusedException(e);
            }
        }
        primary(connection, endpoints, context, Intent.WRITE, consistency, Reason.WRITE_TO_PRIMARY,
                TokenOutcome.NOT_APPLICABLE, Duration.ZERO, null, admitted);
    }

    /**
     * The partition's primary now: the configured one while it is writable; with authority on and after a failover,
     * the one database configured as a replica that has been promoted (out of recovery). With more than one candidate
     * (a split brain, refused for writes elsewhere) or none, or with authority off (nothing would fence a promotion
     * made behind the router's back), the configured one.
     */
    private Target currentPrimary(PartitionEndpoints endpoints) {
        if (admission == null || writable(endpoints.primary())) {
            return endpoints.primary();
        }
        Target promoted = null;
        List<Target> replicas = endpoints.replicas();
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
     * after a failover and was retired ({@code Fence.retire}) refuses every write, so it is not a second writer.
     * Reads one state per endpoint; allocates only to refuse.
     */
    private void checkSingleWriter(PartitionEndpoints endpoints) throws SplitBrainException {
        int writable = writable(endpoints.primary()) ? 1 : 0;
        List<Target> replicas = endpoints.replicas();
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
            throw new SplitBrainException(endpoints.primary().config().partition(), names);
        }
    }

    /** Up (in any role), out of recovery, and not retired by the fence: a database that can accept writes. */
    private boolean writable(Target endpoint) {
        EndpointState state = endpoint.state(monitor);
        return (state.health() == EndpointState.Health.UP || state.health() == EndpointState.Health.WRONG_ROLE)
                && !state.inRecovery() && !state.retired();
    }

    /** Whether writes are admitted by authority and stamped with its epoch. */
    boolean fenced() {
        return admission != null;
    }

    /** The write connections bound now, for aborting them when authority is lost; used when {@link #fenced()}. */
    OpenWrites openWrites() {
        return openWrites;
    }

    /**
     * Whether committed writes advance the context's causal token (PostgreSQL). With CockroachDB a present-time read
     * sees every committed write from any gateway, so there is no token to keep.
     */
    boolean tracksTokens() {
        return gateways == null;
    }

    /**
     * Borrows from the partition's current primary, sets it read-only for a read, stamps a write's session with the
     * admitted epoch (if {@code admitted} is not null), and attaches it.
     *
     * @param attempts what was tried before, or null
     */
    private void primary(LazyConnection connection, PartitionEndpoints endpoints, RoutingContext context,
                         Intent intent, Consistency consistency, Reason reason, TokenOutcome token, Duration waited,
                         List<String> attempts, Admission admitted) throws SQLException {
        Target primary = currentPrimary(endpoints);
        boolean promoted = primary != endpoints.primary();
        if (promoted && reason == Reason.WRITE_TO_PRIMARY) {
            reason = Reason.WRITE_TO_PROMOTED;
        }
        EndpointState state = primary.state(monitor);
        if (state.health() == EndpointState.Health.DOWN
                || (state.health() == EndpointState.Health.WRONG_ROLE && !promoted)) {
            throw new HomeUnavailableException("the primary of " + primary.config().partition() + " cannot serve a "
                    + intent, note(attempts, primary.name() + ": " + state.health() + " (" + state.lastError() + ")"),
                    config.maxDownBackoff());
        }
        Connection physical;
        try {
            physical = primary.borrow(pools);
        } catch (SQLException e) {
            throw new HomeUnavailableException("the primary of " + primary.config().partition() + " cannot serve a "
                    + intent, note(attempts, primary.name() + ": " + e.getMessage()), config.maxDownBackoff());
        }
        try {
            if (intent == Intent.READ) {
                decisions.routerStatement();
                physical.setReadOnly(true);
            }
            if (admitted != null && stamps.ensure(physical, admitted.epoch())) {
                decisions.routerStatement();
            }
        } catch (SQLException e) {
            closeQuietly(physical);
            throw e;
        }
        attach(connection, physical, primary, context, intent, consistency, reason, Duration.ZERO, token, waited,
                admitted == null ? -1 : admitted.epoch());
    }

    /**
     * Counts the decision, gives it to the listeners, and attaches {@code physical} to {@code connection}. A decision
     * without lag or wait is the endpoint's remembered one when equal, so the steady state allocates none.
     */
    private void attach(LazyConnection connection, Connection physical, Target target, RoutingContext context,
                        Intent intent, Consistency consistency, Reason reason, Duration lag, TokenOutcome token,
                        Duration waited, long epoch) {
        EndpointConfig endpoint = target.config();
        long mapVersion = context == null ? -1 : context.home().mapVersion();
        RoutingDecision decision = lag.isZero() && waited.isZero()
                ? target.decision(endpoint.partition(), mapVersion, epoch, intent, consistency, reason, token)
                : new RoutingDecision(endpoint.partition(), mapVersion, epoch, endpoint.name(), endpoint.site(), intent,
                        consistency, reason, lag, token, waited);
        decisions.publish(decision);
        connection.attach(physical, decision);
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
