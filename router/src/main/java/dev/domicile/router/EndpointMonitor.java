package dev.domicile.router;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one health-and-lag monitor of a {@link RoutingDataSource}: a named virtual thread per endpoint probes it over
 * its own connection (never a pooled one, so a full pool cannot blind the monitor), every {@code probeInterval}
 * while it is up and with exponential backoff up to {@code maxDownBackoff} while it is down.
 *
 * <p>PostgreSQL endpoints are probed for recovery, WAL position and replay time; CockroachDB gateways by
 * {@link GatewayProbe}. Reading a state is one array read (by the endpoint's index in the configuration) of an immutable record. Thread-safe; {@link #close()}
 * stops every probe.
 */
final class EndpointMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EndpointMonitor.class);
    /**
     * Role, position, last replayed commit, and (out of recovery, where the fence of version 2 or later is installed)
     * whether the fence is retired. The sequence is looked up with {@code to_regclass}, which is NULL where the fence
     * is not installed (a literal cast to regclass would fail the whole probe there).
     */
    private static final String PROBE = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery()"
            + " THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text, pg_last_xact_replay_timestamp(),"
            + " CASE WHEN pg_is_in_recovery() THEN false ELSE coalesce(pg_sequence_last_value("
            + "to_regclass('domicile.fence_epoch')) = " + dev.domicile.authority.Fence.RETIRED + ", false) END";

    private final RouterConfig config;
    private final Clock clock;
    /** Each endpoint's state, in configuration order, so the binder reads one by index without hashing. */
    private final AtomicReferenceArray<EndpointState> states;
    private final Map<String, Integer> indexes = new HashMap<>();
    private final Map<String, Thread> probes = new LinkedHashMap<>();
    private final CountDownLatch firstRound;
    private final GatewayProbe gateways;
    private volatile boolean closed;

    EndpointMonitor(RouterConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.gateways = config.dialect() == Dialect.COCKROACHDB ? new GatewayProbe(CockroachRegions.of(config)) : null;
        this.firstRound = new CountDownLatch(config.endpoints().size());
        List<EndpointConfig> endpoints = config.endpoints();
        this.states = new AtomicReferenceArray<>(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            states.set(i, EndpointState.unknown(endpoints.get(i)));
            indexes.put(endpoints.get(i).name(), i);
        }
    }

    /** Starts probing and waits (up to the probe timeout and a margin) until every endpoint was probed once. */
    void start() {
        for (EndpointConfig endpoint : config.endpoints()) {
            probes.put(endpoint.name(), Thread.ofVirtual().name("domicile-router-probe-" + endpoint.name())
                    .start(() -> probeLoop(endpoint)));
        }
        try {
            firstRound.await(config.probeTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    EndpointState state(String endpoint) {
        return states.get(indexOf(endpoint));
    }

    /** The state of the endpoint at {@code index} in {@link RouterConfig#endpoints()}. */
    EndpointState state(int index) {
        return states.get(index);
    }

    /** The position of the endpoint named {@code endpoint} in {@link RouterConfig#endpoints()}. */
    int indexOf(String endpoint) {
        Integer index = indexes.get(endpoint);
        if (index == null) {
            throw new IllegalArgumentException("no endpoint named " + endpoint);
        }
        return index;
    }

    /** {@link Dialect#COCKROACHDB}: how stale a follower read on {@code gateway} is, in nanoseconds; -1 if unknown. */
    long followerStalenessNanos(String gateway) {
        return gateways == null ? -1 : gateways.followerStalenessNanos(gateway);
    }

    List<EndpointState> states() {
        List<EndpointState> all = new java.util.ArrayList<>(states.length());
        for (int i = 0; i < states.length(); i++) {
            all.add(states.get(i));
        }
        return List.copyOf(all);
    }

    /** Records a newer position learned outside a probe (a read that waited for its token); never moves back. */
    void observed(String endpoint, long lsn) {
        states.updateAndGet(indexOf(endpoint), s -> s.reached(lsn) ? s
                : new EndpointState(s.endpoint(), s.health(), s.inRecovery(), lsn, s.replayedCommitMicros(),
                s.probedAtNanos(), s.failures(), s.lastError(), s.retired()));
    }

    private void probeLoop(EndpointConfig endpoint) {
        int index = indexOf(endpoint.name());
        Connection connection = null;
        boolean counted = false;
        while (!closed) {
            EndpointState previous = states.get(index);
            EndpointState next;
            try {
                if (connection == null) {
                    connection = open(endpoint);
                }
                next = gateways != null ? gateways.probe(endpoint, connection) : probe(endpoint, connection);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(connection);
                connection = null;
                next = new EndpointState(endpoint, EndpointState.Health.DOWN, previous.inRecovery(), previous.lsn(),
                        previous.replayedCommitMicros(), System.nanoTime(), previous.failures() + 1, e.getMessage(),
                        previous.retired());
            }
            if (next.health() != previous.health()) {
                LOG.info("endpoint {} is {}{}", endpoint.name(), next.health(),
                        next.lastError() == null ? "" : ": " + next.lastError());
            }
            // The probe is authoritative: a position learned meanwhile by a waiting read may be lost, which only
            // makes the router more careful until the next probe.
            states.set(index, next);
            if (!counted) {
                counted = true;
                firstRound.countDown();
            }
            sleep(pause(next));
        }
        closeQuietly(connection);
    }

    private Duration pause(EndpointState state) {
        if (state.health() != EndpointState.Health.DOWN) {
            return config.probeInterval();
        }
        long factor = 1L << Math.min(state.failures(), 20);
        Duration backoff = config.probeInterval().multipliedBy(factor);
        return backoff.compareTo(config.maxDownBackoff()) > 0 ? config.maxDownBackoff() : backoff;
    }

    private EndpointState probe(EndpointConfig endpoint, Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(PROBE)) {
            rs.next();
            boolean inRecovery = rs.getBoolean(1);
            String lsnText = rs.getString(2);
            Timestamp replayed = rs.getTimestamp(3);
            boolean retired = rs.getBoolean(4);
            long lsn = lsnText == null ? 0 : Lsns.parse(lsnText);
            boolean roleOk = endpoint.role() == Role.REPLICA ? inRecovery : !inRecovery;
            long replayedMicros = replayed == null ? 0
                    : replayed.getTime() / 1000 * 1_000_000 + replayed.getNanos() / 1000;
            return new EndpointState(endpoint, roleOk ? EndpointState.Health.UP : EndpointState.Health.WRONG_ROLE,
                    inRecovery, lsn, replayedMicros, System.nanoTime(), 0,
                    roleOk ? null : "configured as " + endpoint.role() + " but "
                            + (inRecovery ? "it is in recovery" : "it is not in recovery"), retired);
        }
    }

    private Connection open(EndpointConfig endpoint) throws SQLException {
        Properties properties = new Properties();
        int seconds = (int) Math.max(1, (config.probeTimeout().toMillis() + 999) / 1000);
        properties.setProperty("connectTimeout", Integer.toString(seconds));
        properties.setProperty("socketTimeout", Integer.toString(seconds));
        properties.setProperty("ApplicationName", "domicile-monitor");
        if (endpoint.username() != null) {
            properties.setProperty("user", endpoint.username());
        }
        if (endpoint.password() != null) {
            properties.setProperty("password", endpoint.password());
        }
        return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
    }

    /** Now in epoch microseconds, from the injected clock, for staleness estimates. */
    long nowEpochMicros() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // a broken probe connection
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        probes.values().forEach(Thread::interrupt);
        for (Thread probe : probes.values()) {
            try {
                probe.join(config.probeTimeout().toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
