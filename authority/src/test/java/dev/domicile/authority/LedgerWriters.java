package dev.domicile.authority;

import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Writers of partition {@link TakeoverWorld#P} running on their own threads the way routers would: each write asks
 * every site's admission in turn, and the first that admits sends it to that site's database of the partition,
 * stamped with the admitted epoch (a connection is re-stamped only when its epoch changes). Every acknowledged insert
 * is recorded (id, time, site, epoch); refusals and failures are counted by kind.
 */
final class LedgerWriters implements AutoCloseable {

    /** An acknowledged insert: its id, when, by which site's router, stamped with which admitted epoch. */
    record Ack(long id, long nanos, String site, long epoch) {
    }

    final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    final LongAdder refused = new LongAdder();
    private final Topology topology;
    private final Map<TakeoverWorld.Router, Endpoint> targets;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /** @param targets per router (one per site), the database its site writes the partition to */
    LedgerWriters(Topology topology, Map<TakeoverWorld.Router, Endpoint> targets, int count) {
        this.topology = topology;
        this.targets = Map.copyOf(targets);
        for (int i = 0; i < count; i++) {
            int writer = i;
            threads.add(Thread.ofPlatform().daemon().name("ledger-writer-" + i).start(() -> run(writer)));
        }
    }

    private void run(int writer) {
        Map<String, Connection> connections = new ConcurrentHashMap<>();
        Map<String, Long> stamped = new ConcurrentHashMap<>();
        int seq = 0;
        while (running) {
            boolean admitted = false;
            for (Map.Entry<TakeoverWorld.Router, Endpoint> target : targets.entrySet()) {
                Admission admission;
                try {
                    admission = target.getKey().admission().admit(TakeoverWorld.P);
                } catch (NotAuthoritativeException e) {
                    continue;
                }
                admitted = true;
                String site = target.getKey().site();
                try {
                    Connection c = connections.get(site);
                    if (c == null) {
                        c = topology.connect(target.getValue());
                        connections.put(site, c);
                        stamped.remove(site);
                    }
                    try (Statement s = c.createStatement()) {
                        if (stamped.getOrDefault(site, -1L) != admission.epoch()) {
                            s.execute(Fence.stampSql(admission.epoch()));
                            stamped.put(site, admission.epoch());
                        }
                        try (ResultSet rs = s.executeQuery("INSERT INTO ledger (writer, amount) VALUES (" + writer
                                + ", " + seq++ + ") RETURNING id")) {
                            rs.next();
                            acks.add(new Ack(rs.getLong(1), System.nanoTime(), site, admission.epoch()));
                        }
                    }
                } catch (SQLException e) {
                    failures.computeIfAbsent(site + ":" + e.getSQLState(), k -> new LongAdder()).increment();
                    closeQuietly(connections.remove(site));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                }
                break;
            }
            if (!admitted) {
                refused.increment();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        connections.values().forEach(LedgerWriters::closeQuietly);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // already broken
            }
        }
    }

    long acknowledgedAt(String site) {
        return acks.stream().filter(a -> a.site().equals(site)).count();
    }

    /** The first acknowledgement at {@code site} at or after {@code nanos}, or -1. */
    long firstAckAt(String site, long nanos) {
        return acks.stream().filter(a -> a.site().equals(site) && a.nanos() >= nanos).mapToLong(Ack::nanos).min()
                .orElse(-1);
    }

    /** The longest time without any acknowledgement between {@code fromNanos} and the last one. */
    long longestGapNanos(long fromNanos) {
        List<Long> times = acks.stream().map(Ack::nanos).filter(t -> t >= fromNanos).sorted(Comparator.naturalOrder())
                .toList();
        long gap = 0;
        for (int i = 1; i < times.size(); i++) {
            gap = Math.max(gap, times.get(i) - times.get(i - 1));
        }
        return gap;
    }

    /** The last acknowledgement before {@code nanos} and the first at or after it: the gap around a moment. */
    long gapAroundNanos(long nanos) {
        long before = acks.stream().mapToLong(Ack::nanos).filter(t -> t < nanos).max().orElse(nanos);
        long after = acks.stream().mapToLong(Ack::nanos).filter(t -> t >= nanos).min().orElse(nanos);
        return after - before;
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops every writer and waits for it to end. */
    void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
