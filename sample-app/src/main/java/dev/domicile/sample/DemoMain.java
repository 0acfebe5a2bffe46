package dev.domicile.sample;

import dev.domicile.sample.control.ControlServer;
import dev.domicile.sample.drill.AuthorityAgents;
import dev.domicile.sample.drill.DrillReport;
import dev.domicile.sample.drill.DrillRunner;
import dev.domicile.sample.edge.Edge;
import dev.domicile.sample.edge.RegionHealth;
import dev.domicile.sample.load.LoadGenerator;
import dev.domicile.sample.load.LoadReport;
import dev.domicile.sample.load.RoutingSummary;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Lsn;
import dev.domicile.testkit.Topology;
import java.io.PrintStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The multi-region demo on embedded defaults: starts three regions (each with a PostgreSQL primary of its home
 * partition, a local replica and replicas of the other regions' partitions, and a Redis) and one ZooKeeper, shows a
 * write in every region arriving at each of its replicas, starts the authority agents, the notes service in every
 * region, the edge and the control server, prints the URLs, optionally runs the load generator ({@code --load}) and
 * the failover drill ({@code --drill}), and runs until interrupted (or, with {@code --exit}, stops).
 *
 * <p>Run it with {@code ./mvnw -Pdemo -pl sample-app -am -DskipTests verify}; stop it with Ctrl-C, which stops the
 * services and every server and deletes their data. Flags: {@link DemoOptions#USAGE}.
 */
public final class DemoMain {

    static final List<String> REGIONS = List.of("eu-west", "us-east", "ap-south");

    private static final Duration EDGE_POLL = Duration.ofMillis(250);

    /**
     * PostgreSQL's JDBC driver logs through java.util.logging; after a drill the routers' monitors keep probing the
     * retired old primary and the driver warns about every broken connection. Held here so the level sticks.
     */
    private static final Logger PGJDBC = Logger.getLogger("org.postgresql");

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options = DemoOptions.parse(Arrays.asList(args));
        PGJDBC.setLevel(Level.SEVERE);
        PrintStream out = System.out;
        if (options.help()) {
            out.print(DemoOptions.USAGE);
            return;
        }
        DemoResources resources = new DemoResources();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name("domicile-demo-shutdown").unstarted(() -> {
            resources.close();
            out.println("Domicile demo stopped; every service and server was shut down.");
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            Topology topology = resources.add(start());
            out.printf("%nDomicile demo: %d regions started in %d ms%n%n", REGIONS.size(), millisSince(t0));
            out.println(topology.describe());
            showReplication(topology, out);
            long t1 = System.nanoTime();
            ControlServer control = resources.add(ControlServer.start());
            AuthorityAgents agents = resources.add(AuthorityAgents.start(topology));
            Regions regions = resources.add(Regions.start(topology, Duration.ofSeconds(60), control.url()));
            agents.fence("public.notes");
            Edge edge = resources.add(Edge.start(regions.urls(), EDGE_POLL, Duration.ofSeconds(2),
                    Clock.systemUTC()));
            DrillRunner drill = new DrillRunner(agents, REGIONS.get(0), REGIONS.get(1), regions.url(REGIONS.get(0)),
                    out);
            control.get("/edge", () -> edge.health().stream().map(DemoMain::edgeView).toList());
            control.get("/authority", agents::view);
            control.get("/drill", drill::state);
            control.post("/drill", drill::start);
            out.printf("Notes service started in %d regions in %d ms (%d ms since launch)%n", REGIONS.size(),
                    millisSince(t1), millisSince(t0));
            printUrls(regions.urls(), control.url(), out);
            if (options.load()) {
                runLoad(regions, edge, options, out);
            }
            if (options.drill()) {
                runDrill(drill, options, out);
            }
        } catch (Exception e) {
            stopNow(hook, resources);
            throw e;
        }
        if (options.exit()) {
            stopNow(hook, resources);
            out.println("Domicile demo stopped (--exit); every service and server was shut down.");
            return;
        }
        out.println("Running. Press Ctrl-C to stop.");
        stopped.await();
    }

    /**
     * Runs the load generator and prints its figures and the routers' decisions.
     *
     * @throws IllegalStateException with {@code --exit}, if a request failed or a read missed the reader's writes
     */
    private static void runLoad(Regions regions, Edge edge, DemoOptions options, PrintStream out)
            throws InterruptedException {
        out.println("Running the load generator (clients find their region through the edge)...");
        LoadReport report = LoadGenerator.run(edge, options.loadConfig());
        out.println(report.format());
        out.println(edgeSummary(edge));
        out.println(RoutingSummary.of(regions.urls(), Duration.ofSeconds(5)));
        if (options.exit() && (report.violations() > 0 || report.errors() > 0)) {
            throw new IllegalStateException("the load run had " + report.violations()
                    + " read-your-writes violations and " + report.errors() + " errors");
        }
    }

    /**
     * Runs the failover drill and prints its timeline as it goes.
     *
     * @throws IllegalStateException with {@code --exit}, if the fenced site accepted a write
     */
    private static void runDrill(DrillRunner drill, DemoOptions options, PrintStream out) throws Exception {
        out.println("Running the failover drill...");
        DrillReport report = drill.runHere();
        out.println();
        if (options.exit() && report.acceptedAtFencedSite() > 0) {
            throw new IllegalStateException("the drill's fenced site accepted " + report.acceptedAtFencedSite()
                    + " writes");
        }
    }

    private static String edgeSummary(Edge edge) {
        StringBuilder text = new StringBuilder("edge: new clients sent per region:");
        edge.health().forEach(h -> text.append(String.format(" %s %d (%s)", h.region(), h.clients(), h.status())));
        return text.toString();
    }

    private static Map<String, Object> edgeView(RegionHealth health) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("region", health.region());
        view.put("status", health.status());
        view.put("healthy", health.healthy());
        view.put("since", health.since().toString());
        view.put("detail", health.detail());
        view.put("clients", health.clients());
        return view;
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

    private static void printUrls(Map<String, URI> urls, URI control, PrintStream out) {
        out.println();
        for (String region : REGIONS) {
            URI url = urls.get(region);
            out.printf("  %-9s %s   status page %s/status   users %s*%n", region, url, url,
                    Homes.prefix(region));
        }
        out.printf("  %-9s %s   (the edge, authority and drill the status pages show: /edge, /authority,"
                + " /drill)%n", "control", control);
        URI eu = urls.get(REGIONS.get(0));
        URI us = urls.get(REGIONS.get(1));
        out.printf("%nTry it (a us-east user writing in eu-west, which forwards it home to us-east, then reading in"
                + " us-east with the returned tokens; the SESSION cookie alone would do too):%n"
                + "  curl -i -X POST -H 'X-Domicile-User: us-alice' -H 'Content-Type: text/plain' -d hello %s/notes%n"
                + "  curl -i -H 'X-Domicile-User: us-alice' -H 'X-Domicile-Tokens: <from the answer>' %s/notes%n%n",
                eu, us);
    }

    /** Closes {@code resources} on this thread, and the hook will not run (unless the JVM is already exiting). */
    private static void stopNow(Thread hook, DemoResources resources) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // Ctrl-C came first: the hook is closing the resources too, and closing twice is harmless
        }
        resources.close();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
