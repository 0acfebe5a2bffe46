package dev.domicile.router.faults;

import dev.domicile.authority.Fence;
import dev.domicile.partition.PartitionId;
import dev.domicile.router.NoRouteException;
import dev.domicile.router.RoutedConnection;
import dev.domicile.router.Routing;
import dev.domicile.router.RoutingContext;
import dev.domicile.router.RoutingDataSource;
import dev.domicile.router.RoutingDecision;
import dev.domicile.router.SplitBrainException;
import dev.domicile.router.WriteRefusedException;
import dev.domicile.router.faults.WriteHistory.Outcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A client of one site that writes one user's partition through that site's router, one small transaction after
 * another on its own named thread, and records every attempt in a {@link WriteHistory}: each transaction inserts a
 * row keyed by a unique id that stores the epoch its session was stamped with. Close it to stop; closing waits for
 * the write in flight.
 */
final class Writer implements AutoCloseable {

    private final String name;
    private final String site;
    private final RoutingDataSource dataSource;
    private final String user;
    private final PartitionId partition;
    private final String table;
    private final WriteHistory history;
    private final long pauseNanos;
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    /** Mutable state of one attempt, filled in as it progresses. */
    private static final class Attempt {
        long epoch = -1;
        long lsnBefore;
        boolean committing;
    }

    private Writer(String name, String site, RoutingDataSource dataSource, String user, PartitionId partition,
                   String table, WriteHistory history, Duration pause) {
        this.name = name;
        this.site = site;
        this.dataSource = dataSource;
        this.user = user;
        this.partition = partition;
        this.table = table;
        this.history = history;
        this.pauseNanos = pause.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("fault-writer-" + name).unstarted(this::run);
    }

    /** Starts writing {@code user}'s partition at {@code site}, pausing {@code pause} between writes. */
    static Writer start(String name, String site, RoutingDataSource dataSource, String user, PartitionId partition,
                        String table, WriteHistory history, Duration pause) {
        Writer writer = new Writer(name, site, dataSource, user, partition, table, history, pause);
        writer.thread.start();
        return writer;
    }

    int acknowledged() {
        return acknowledged.get();
    }

    private void run() {
        while (running) {
            writeOnce();
            LockSupport.parkNanos(pauseNanos);
        }
    }

    private void writeOnce() {
        String id = name + "-" + sequence.incrementAndGet();
        RoutingContext context = dataSource.router().forUser(user).context();
        Attempt attempt = new Attempt();
        long start = System.nanoTime();
        Outcome outcome;
        String detail = null;
        long commitLsn = 0;
        try {
            write(context, id, attempt);
            outcome = Outcome.ACKNOWLEDGED;
            commitLsn = context.tokens().positionOf(partition);
            acknowledged.incrementAndGet();
        } catch (WriteRefusedException | NoRouteException | SplitBrainException e) {
            outcome = Outcome.REFUSED;
            detail = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        } catch (SQLException e) {
            outcome = fenced(e) ? Outcome.FENCED : attempt.committing ? Outcome.UNKNOWN : Outcome.ABORTED;
            detail = e.getSQLState() + " " + firstLine(e.getMessage());
        } catch (RuntimeException e) {
            outcome = attempt.committing ? Outcome.UNKNOWN : Outcome.ABORTED;
            detail = e.toString();
        }
        history.add(new WriteHistory.Write(id, site, partition.value(), attempt.epoch, start, System.nanoTime(),
                outcome, attempt.lsnBefore, commitLsn, detail));
    }

    private void write(RoutingContext context, String id, Attempt attempt) throws SQLException {
        try (Connection c = connection(dataSource, context)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                attempt.epoch = c.unwrap(RoutedConnection.class).decision().map(RoutingDecision::epoch).orElse(-1L);
                s.executeUpdate("INSERT INTO " + table + " (id, site, epoch) VALUES ('" + id + "', '" + site
                        + "', current_setting('domicile.epoch')::bigint)");
                try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                    rs.next();
                    attempt.lsnBefore = HistoryChecker.LsnRange.lsn(rs.getString(1));
                }
            }
            attempt.committing = true;
            c.commit();
        }
    }

    /** A connection of {@code dataSource} routed by {@code context}. */
    static Connection connection(RoutingDataSource dataSource, RoutingContext context) throws SQLException {
        Routing.Binding binding = Routing.bind(context);
        try {
            return dataSource.getConnection();
        } finally {
            binding.close();
        }
    }

    /** The first line of a (database) message, for one-line reports. */
    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    static boolean fenced(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && Fence.STALE_EPOCH.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Stops writing; returns once the write in flight ended. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
