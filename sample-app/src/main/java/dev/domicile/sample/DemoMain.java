package dev.domicile.sample;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Lsn;
import dev.domicile.testkit.Topology;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The multi-region demo on embedded defaults: starts three regions (each with a PostgreSQL primary of its home
 * partition, a local replica and replicas of the other regions' partitions, and a Redis) and one ZooKeeper, prints
 * what runs where, shows a write in every region arriving at each of its replicas, and runs until interrupted.
 *
 * <p>Run it with {@code ./mvnw -Pdemo -pl sample-app -am -DskipTests verify}; stop it with Ctrl-C, which stops
 * every server and deletes their data.
 */
public final class DemoMain {

    static final List<String> REGIONS = List.of("eu-west", "us-east", "ap-south");

    private DemoMain() {
    }

    public static void main(String[] args) throws InterruptedException, SQLException {
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        Topology topology = start();
        out.printf("%nDomicile demo: %d regions started in %d ms%n%n", REGIONS.size(),
                (System.nanoTime() - t0) / 1_000_000);
        out.println(topology.describe());
        showReplication(topology, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("domicile-demo-shutdown").unstarted(() -> {
            topology.close();
            out.println("Domicile demo stopped; every server was shut down.");
            stopped.countDown();
        }));
        out.println("Running. Press Ctrl-C to stop.");
        stopped.await();
    }

    /** The demo's topology: every region holds a replica of every partition. */
    static Topology start() {
        var builder = EmbeddedTopology.builder().replicasPerSite(1);
        REGIONS.forEach(builder::site);
        for (String partition : REGIONS) {
            for (String region : REGIONS) {
                if (!region.equals(partition)) {
                    builder.replicas(partition, region, 1);
                }
            }
        }
        return builder.start();
    }

    /** Writes one row at each home primary and reports how long each replica took to replay it. */
    static void showReplication(Topology topology, PrintStream out) throws SQLException, InterruptedException {
        for (String partition : topology.partitions()) {
            Endpoint primary = topology.primary(partition);
            try (Connection c = topology.connect(primary); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS greetings (region text, at timestamptz DEFAULT now())");
                s.execute("INSERT INTO greetings (region) VALUES ('" + partition + "')");
            }
            Lsn written = topology.currentLsn(primary);
            long wroteAt = System.nanoTime();
            for (Endpoint replica : topology.replicas(partition)) {
                while (topology.replayLsn(replica).compareTo(written) < 0) {
                    Thread.sleep(1);
                }
                out.printf("write at %-18s replayed by %-30s (in %s) after %5.1f ms%n", primary.name(), replica.name(),
                        replica.site(), (System.nanoTime() - wroteAt) / 1e6);
            }
        }
        out.println();
    }
}
