package dev.domicile.sample.drill;

import dev.domicile.authority.Admission;
import dev.domicile.authority.Fence;
import dev.domicile.authority.NotAuthoritativeException;
import dev.domicile.partition.PartitionId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A writer in one site that writes one row to the probe table of a partition every {@code period}, as a router with
 * authority would: only when its site's {@link dev.domicile.authority.WriteAdmission} admits the partition, stamped
 * with the admitted epoch, so the database fence judges it. Counts what became of each attempt, and the last time a
 * write was accepted. Runs on its own named thread until {@link #close()}.
 */
final class ProbeWriter implements AutoCloseable {

    private final SiteAgent agent;
    private final PartitionId partition;
    private final Supplier<String> target;
    private final long periodMillis;
    private final Thread thread;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refusedByAdmission = new AtomicLong();
    private final AtomicLong refusedByFence = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong acceptedAfterMove = new AtomicLong();
    private volatile boolean moved;
    private volatile String lastFailure = "";
    private volatile boolean running = true;

    /**
     * @param agent  the site whose admission decides
     * @param target the JDBC URL of the database the site's router would write to now (asked before each attempt)
     */
    private ProbeWriter(SiteAgent agent, PartitionId partition, Supplier<String> target, long periodMillis) {
        this.agent = agent;
        this.partition = partition;
        this.target = target;
        this.periodMillis = periodMillis;
        this.thread = Thread.ofPlatform().name("domicile-drill-probe-" + agent.site()).daemon(true)
                .unstarted(this::loop);
    }

    static ProbeWriter start(SiteAgent agent, PartitionId partition, Supplier<String> target, long periodMillis) {
        ProbeWriter writer = new ProbeWriter(agent, partition, target, periodMillis);
        writer.thread.start();
        return writer;
    }

    private void loop() {
        while (running) {
            attempt();
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void attempt() {
        Admission admission;
        try {
            admission = agent.admission().admit(partition);
        } catch (NotAuthoritativeException e) {
            refusedByAdmission.incrementAndGet();
            return;
        }
        switch (write(target.get(), agent.site(), admission.epoch())) {
            case ACCEPTED -> {
                accepted.incrementAndGet();
                if (moved) {
                    acceptedAfterMove.incrementAndGet();
                }
            }
            case FENCED -> refusedByFence.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
        }
    }

    /** What became of one write. */
    enum Outcome { ACCEPTED, FENCED, FAILED }

    /** Writes one probe row at {@code url}, stamped with {@code epoch}. */
    Outcome write(String url, String site, long epoch) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(Fence.stampSql(epoch));
            try (PreparedStatement insert = c.prepareStatement("insert into " + AuthorityAgents.PROBE_TABLE
                    + " (site, epoch) values (?, ?)")) {
                insert.setString(1, site);
                insert.setLong(2, epoch);
                insert.executeUpdate();
            }
            return Outcome.ACCEPTED;
        } catch (SQLException e) {
            lastFailure = e.getSQLState() + " " + e.getMessage();
            return Fence.STALE_EPOCH.equals(e.getSQLState()) ? Outcome.FENCED : Outcome.FAILED;
        }
    }

    long accepted() {
        return accepted.get();
    }

    long refusedByAdmission() {
        return refusedByAdmission.get();
    }

    long refusedByFence() {
        return refusedByFence.get();
    }

    long failed() {
        return failed.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    /** From now on, accepted writes count as accepted after the partition's authority moved away. */
    void authorityMoved() {
        moved = true;
    }

    /** Writes accepted since {@link #authorityMoved()}. */
    long acceptedAfterMove() {
        return acceptedAfterMove.get();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
