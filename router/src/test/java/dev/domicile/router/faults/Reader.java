package dev.domicile.router.faults;

import dev.domicile.router.Consistency;
import dev.domicile.router.Intent;
import dev.domicile.router.RoutedConnection;
import dev.domicile.router.RoutingContext;
import dev.domicile.router.RoutingDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A client of one site that reads one user's partition through that site's router (intent READ, bounded staleness)
 * on its own named thread, and records when each read ran, whether it succeeded and which endpoint served it.
 */
final class Reader implements AutoCloseable {

    /** One read. */
    record Read(long startNanos, long endNanos, boolean ok, String endpoint) {
    }

    private final RoutingDataSource dataSource;
    private final String user;
    private final String table;
    private final long pauseNanos;
    private final List<Read> reads = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Reader(String name, RoutingDataSource dataSource, String user, String table, Duration pause) {
        this.dataSource = dataSource;
        this.user = user;
        this.table = table;
        this.pauseNanos = pause.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("fault-reader-" + name).start(this::run);
    }

    private void run() {
        while (running) {
            RoutingContext context = dataSource.router().forUser(user).intent(Intent.READ)
                    .consistency(Consistency.boundedStaleness(Duration.ofMinutes(5))).context();
            long start = System.nanoTime();
            boolean ok = false;
            String endpoint = null;
            try (Connection c = Writer.connection(dataSource, context); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                endpoint = c.unwrap(RoutedConnection.class).decision().orElseThrow().endpoint();
                ok = true;
            } catch (SQLException | RuntimeException e) {
                endpoint = e.getClass().getSimpleName();
            }
            reads.add(new Read(start, System.nanoTime(), ok, endpoint));
            LockSupport.parkNanos(pauseNanos);
        }
    }

    /** Reads that started in {@code [fromNanos, toNanos)}. */
    List<Read> between(long fromNanos, long toNanos) {
        return reads.stream().filter(r -> r.startNanos() >= fromNanos && r.startNanos() < toNanos).toList();
    }

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
