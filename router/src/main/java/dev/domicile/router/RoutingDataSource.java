package dev.domicile.router;

import com.zaxxer.hikari.HikariDataSource;
import dev.domicile.authority.AdmissionListener;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that sends each connection where its user's data lives: writes to the primary of the user's
 * home partition, reads to a replica that is local and fresh enough for the request's consistency level, else one in
 * the home site, else the primary. The routing context comes from the calling thread ({@link Routing}) when
 * {@link #getConnection()} is called; the connection binds to a physical one at its first statement
 * ({@link RoutedConnection}).
 *
 * <pre>{@code
 * try (RoutingDataSource dataSource = RoutingDataSource.create(config, store::current)) {
 *     Router router = dataSource.router();
 *     router.forUser("alice").run(() -> insertNote(dataSource, "hello"));       // primary of alice's home
 *     router.forUser("alice").intent(Intent.READ).run(() -> listNotes(dataSource)); // a fresh replica
 * }
 * }</pre>
 *
 * <p>One HikariCP pool per endpoint, created on first use; one monitor per data source probes every endpoint.
 * Thread-safe. {@link #close()} closes every pool and stops the monitor.
 */
public final class RoutingDataSource implements DataSource, AutoCloseable {

    private final RouterConfig config;
    private final Router router;
    private final EndpointMonitor monitor;
    private final Pools pools;
    private final Decisions decisions = new Decisions();
    private final Binder binder;
    private final OpenWrites openWrites = new OpenWrites();
    private final WriteAdmission admission;
    private final AdmissionListener abortOnStop;
    private volatile boolean closed;

    private RoutingDataSource(RouterConfig config, Supplier<PartitionMap> maps, Consistency defaultConsistency,
                              Clock clock, WriteAdmission admission) {
        this.config = config;
        this.router = new Router(maps, config.localSite(), defaultConsistency);
        this.monitor = new EndpointMonitor(config, clock);
        this.pools = new Pools(config);
        this.admission = admission;
        this.binder = new Binder(config, monitor, pools, decisions, openWrites, admission);
        this.abortOnStop = new AdmissionListener() {
            @Override
            public void onStopped(PartitionId partition, String reason) {
                openWrites.abortAll(partition, reason);
            }
        };
    }

    /**
     * Opens a data source with READ_YOUR_WRITES as the default consistency. Returns once every endpoint was probed
     * once (or the probe timed out: such an endpoint starts as down).
     *
     * @param config the validated configuration
     * @param maps   the partition map in force, e.g. {@code store::current}
     */
    public static RoutingDataSource create(RouterConfig config, Supplier<PartitionMap> maps) {
        return create(config, maps, Consistency.READ_YOUR_WRITES, Clock.systemUTC());
    }

    /** As {@link #create(RouterConfig, Supplier)}, with a default consistency and the clock staleness is read from. */
    public static RoutingDataSource create(RouterConfig config, Supplier<PartitionMap> maps,
                                           Consistency defaultConsistency, Clock clock) {
        return open(config, maps, defaultConsistency, clock, null);
    }

    /**
     * Opens a data source whose writes are fenced: each write is admitted by {@code admission} (a refused write
     * fails with {@link WriteRefusedException} before reaching a database), its session is stamped with the
     * admitted epoch (a statement only when the connection's epoch changes), and when a partition stops being
     * admitted every write transaction still open on it is aborted. The admission (and its watcher) stay the
     * caller's to close, after this data source.
     */
    public static RoutingDataSource create(RouterConfig config, Supplier<PartitionMap> maps,
                                           WriteAdmission admission) {
        return open(config, maps, Consistency.READ_YOUR_WRITES, Clock.systemUTC(),
                Objects.requireNonNull(admission, "admission"));
    }

    /**
     * As {@link #create(RouterConfig, Supplier, WriteAdmission)} (writes fenced), with a default consistency and the
     * clock staleness is read from.
     */
    public static RoutingDataSource create(RouterConfig config, Supplier<PartitionMap> maps,
                                           Consistency defaultConsistency, Clock clock, WriteAdmission admission) {
        return open(config, maps, defaultConsistency, clock, Objects.requireNonNull(admission, "admission"));
    }

    private static RoutingDataSource open(RouterConfig config, Supplier<PartitionMap> maps,
                                          Consistency defaultConsistency, Clock clock, WriteAdmission admission) {
        if (admission != null && config.dialect() == Dialect.COCKROACHDB) {
            throw new IllegalArgumentException("write admission fences PostgreSQL primaries; dialect COCKROACHDB has"
                    + " none (the cluster orders every write itself by consensus): open it without an admission");
        }
        RoutingDataSource dataSource = new RoutingDataSource(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(maps, "maps"), Objects.requireNonNull(defaultConsistency, "consistency"),
                Objects.requireNonNull(clock, "clock"), admission);
        if (admission != null) {
            admission.addListener(dataSource.abortOnStop);
        }
        dataSource.monitor.start();
        return dataSource;
    }

    /** Makes routing contexts for this data source's site and partition map. */
    public Router router() {
        return router;
    }

    public RouterConfig config() {
        return config;
    }

    /**
     * {@link Dialect#COCKROACHDB}: how partitions map to {@code crdb_region} values.
     *
     * @throws IllegalStateException with dialect POSTGRESQL
     */
    public CockroachRegions regions() {
        if (config.dialect() != Dialect.COCKROACHDB) {
            throw new IllegalStateException("regions apply to dialect COCKROACHDB, this data source's is "
                    + config.dialect());
        }
        return CockroachRegions.of(config);
    }

    /**
     * A connection routed by the context bound to this thread now. It binds to a physical connection at its first
     * statement; errors of routing (no context, every endpoint down) surface then, as {@link SQLException}s.
     *
     * @throws SQLException if the data source is closed
     */
    @Override
    public Connection getConnection() throws SQLException {
        if (closed) {
            throw new SQLException("the RoutingDataSource is closed", "08003");
        }
        return new LazyConnection(binder, Routing.currentOrNull());
    }

    /** Not supported: each endpoint has its own credentials in {@link EndpointConfig}. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials are configured per endpoint (EndpointConfig)");
    }

    /**
     * Where a connection for {@code home} would go now with this intent, consistency and token, as the router would
     * route it if the endpoint's pool answers: a dry run that borrows nothing, waits for nothing and allocates
     * nothing. For diagnostics and benchmarks.
     *
     * @throws IllegalArgumentException if the home's partition has no endpoints here
     */
    public EndpointConfig route(dev.domicile.partition.Home home, Intent intent, Consistency consistency,
                                CausalTokens tokens) {
        return binder.route(home, config.localSite(), intent, consistency, tokens.positionOf(home.partitionId()));
    }

    /** What the monitor knows of each endpoint, in configuration order. */
    public List<EndpointState> endpointStates() {
        return monitor.states();
    }

    /** Decisions made so far, by reason. */
    public Map<RoutingDecision.Reason, Long> decisionCounts() {
        return decisions.countsByReason();
    }

    /** Decisions made so far, by what became of the causal token. */
    public Map<RoutingDecision.TokenOutcome, Long> tokenCounts() {
        return decisions.countsByToken();
    }

    /**
     * Statements the router sent on pooled connections for its own purposes since it opened: polls of a replica that
     * was behind a causal token, WAL-position reads after write transactions, and read-only switches of a primary
     * serving a read. Monitor probes use their own connections and are not counted.
     */
    public long routerStatements() {
        return decisions.routerStatements();
    }

    /** Writes refused so far because their partition had more than one writable database (split brain). */
    public long splitBrainRefusals() {
        return decisions.splitBrainRefusals();
    }

    public void addListener(RoutingListener listener) {
        decisions.add(listener);
    }

    public void removeListener(RoutingListener listener) {
        decisions.remove(listener);
    }

    /** Borrowed connections per pool name, for leak checks and metrics. */
    public Map<String, Integer> activeConnections() {
        Map<String, Integer> active = new java.util.TreeMap<>();
        for (HikariDataSource pool : pools.created()) {
            active.put(pool.getPoolName(), pool.getHikariPoolMXBean().getActiveConnections());
        }
        return active;
    }

    @Override
    public void close() {
        closed = true;
        if (admission != null) {
            admission.removeListener(abortOnStop);
        }
        monitor.close();
        pools.close();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        throw new SQLFeatureNotSupportedException("Domicile logs through SLF4J");
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("use RouterConfig.connectionTimeout");
    }

    @Override
    public int getLoginTimeout() {
        return (int) config.connectionTimeout().toSeconds();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Domicile logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
