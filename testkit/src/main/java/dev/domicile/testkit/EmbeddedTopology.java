package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topology of real servers on this machine: embedded PostgreSQL binaries (a primary per site and streaming
 * replicas made from copies of the stopped primary's data directory), a {@code redis-server} per site and an
 * in-JVM ZooKeeper. Needs nothing but a JDK; everything listens on {@code 127.0.0.1}.
 *
 * <p>Design note: start-up is the cost every integration test pays, so servers are created from a cached
 * {@code initdb} template and started in parallel; a 3-site topology with a replica per site starts in a few seconds.
 * Each replica streams through a {@link FaultProxy} on the link from its site to its primary, so tests can cut
 * replication like any other link.
 *
 * <p>Thread-safe: operations on one server are serialised. See {@link Topology} for the lifecycle.
 */
public final class EmbeddedTopology extends AbstractTopology {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTopology.class);
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDirectory;
    private final Map<String, PostgresServer> databases;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private EmbeddedTopology(TopologySpec spec, List<Endpoint> endpoints, Path workDirectory,
                             Map<String, PostgresServer> databases) {
        super(spec, endpoints, new Services(spec, workDirectory));
        this.workDirectory = workDirectory;
        this.databases = databases;
        this.shutdownHook = Thread.ofPlatform().name("domicile-topology-shutdown").unstarted(this::close);
    }

    /** A builder for a topology; {@link TopologyBuilder#start()} starts the embedded provider unless told otherwise. */
    public static TopologyBuilder builder() {
        return new TopologyBuilder();
    }

    static EmbeddedTopology start(TopologySpec spec) {
        long started = System.nanoTime();
        PostgresBinaries binaries = PostgresBinaries.get();
        Path work = workDirectory(spec);
        List<Endpoint> endpoints = endpoints(spec);
        Map<String, PostgresServer> databases = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            databases.put(endpoint.name(), new PostgresServer(binaries, endpoint, work.resolve(endpoint.name())));
        }
        EmbeddedTopology topology = new EmbeddedTopology(spec, endpoints, work, databases);
        Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
        try {
            topology.startAll();
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
        LOG.info("embedded topology of {} sites and {} databases started in {} ms", spec.sites().size(),
                endpoints.size(), (System.nanoTime() - started) / 1_000_000);
        LOG.debug("embedded topology:\n{}", topology.describe());
        return topology;
    }

    /**
     * A new work directory, marked as this JVM's; first reaps the servers of sibling directories whose JVM died
     * without closing its topology ({@link Reaper}).
     */
    private static Path workDirectory(TopologySpec spec) {
        try {
            String prefix = spec.workDirectory() != null ? "topology-" : "domicile-topology-";
            Path work = spec.workDirectory() != null
                    ? Files.createTempDirectory(Files.createDirectories(spec.workDirectory()), prefix)
                    : Files.createTempDirectory(prefix);
            Reaper.mark(work);
            Reaper.reapSiblings(work, prefix);
            return work;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the topology's work directory", e);
        }
    }

    private static List<Endpoint> endpoints(TopologySpec spec) {
        List<Endpoint> result = new ArrayList<>();
        for (TopologySpec.Site site : spec.sites()) {
            result.add(endpoint(site.partition() + "-primary", site.name(), site.partition(), Role.PRIMARY));
        }
        for (TopologySpec.Replica placement : spec.replicas()) {
            boolean home = spec.homeSite(placement.partition()).equals(placement.site());
            String prefix = placement.partition() + "-replica-" + (home ? "" : placement.site() + "-");
            for (int i = 1; i <= placement.count(); i++) {
                String name = prefix + i;
                while (containsName(result, name)) {
                    name = name + "x";
                }
                result.add(endpoint(name, placement.site(), placement.partition(), Role.REPLICA));
            }
        }
        return result;
    }

    private static boolean containsName(List<Endpoint> endpoints, String name) {
        return endpoints.stream().anyMatch(e -> e.name().equals(name));
    }

    private static Endpoint endpoint(String name, String site, String partition, Role role) {
        return new Endpoint(name, site, partition, role, ZooKeeperServers.HOST, Ports.free(), "postgres", "postgres");
    }

    private void startAll() {
        try (ExecutorService pool = Executors.newFixedThreadPool(3,
                Thread.ofPlatform().name("domicile-topology-start-", 1).factory())) {
            List<Future<?>> shared = services().start(pool);
            List<Future<?>> tasks = new ArrayList<>();
            for (PostgresServer primary : servers(Role.PRIMARY)) {
                tasks.add(pool.submit(() -> {
                    primary.createPrimary(synchronousStandby(primary.endpoint().partition()));
                    for (PostgresServer replica : replicasOf(primary.endpoint().partition())) {
                        FaultProxy link = (FaultProxy) link(replica.endpoint().site(), primary.endpoint());
                        replica.createReplicaOf(primary, link.host(), link.port());
                    }
                }));
            }
            await(tasks);
            tasks.clear();
            for (PostgresServer server : databases.values()) {
                tasks.add(pool.submit(server::start));
            }
            await(tasks);
            await(shared);
        }
        for (PostgresServer replica : servers(Role.REPLICA)) {
            awaitStreaming(replica.endpoint());
        }
    }

    /** The name of the partition's synchronous standby, or null. */
    private String synchronousStandby(String partition) {
        String site = spec().synchronousReplicaSites().get(partition);
        if (site == null) {
            return null;
        }
        return replicasOf(partition).stream().map(PostgresServer::endpoint).filter(e -> e.site().equals(site))
                .findFirst().orElseThrow().name();
    }

    private List<PostgresServer> servers(Role role) {
        return databases.values().stream().filter(s -> s.endpoint().role() == role).toList();
    }

    private List<PostgresServer> replicasOf(String partition) {
        return servers(Role.REPLICA).stream().filter(s -> s.endpoint().partition().equals(partition)).toList();
    }

    private static void await(List<Future<?>> tasks) {
        for (Future<?> task : tasks) {
            await(task);
        }
    }

    private static <T> T await(Future<T> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new TopologyException("start-up failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted during start-up", e);
        }
    }

    private void awaitStreaming(Endpoint replica) {
        long deadline = System.nanoTime() + STREAMING_TIMEOUT.toNanos();
        String status = null;
        while (System.nanoTime() < deadline) {
            status = queryString(replica, "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')");
            if ("streaming".equals(status)) {
                return;
            }
            sleep(25);
        }
        PostgresServer server = databases.get(replica.name());
        throw new TopologyException(replica.name() + " is not streaming from its primary after " + STREAMING_TIMEOUT
                + " (wal receiver: " + status + ")\n--- tail of " + server.log() + " ---\n"
                + Files2.tail(server.log(), 30));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted", e);
        }
    }

    private PostgresServer server(Endpoint endpoint) {
        return databases.get(known(endpoint).name());
    }

    @Override
    public void stop(Endpoint endpoint) {
        PostgresServer server = server(endpoint);
        synchronized (server) {
            server.stop();
        }
    }

    @Override
    public void kill(Endpoint endpoint) {
        PostgresServer server = server(endpoint);
        synchronized (server) {
            server.kill();
        }
    }

    @Override
    public void start(Endpoint endpoint) {
        PostgresServer server = server(endpoint);
        synchronized (server) {
            if (!server.running()) {
                server.start();
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<PostgresServer> order = new ArrayList<>(servers(Role.REPLICA));
        order.addAll(servers(Role.PRIMARY));
        for (PostgresServer server : order) {
            quietly("stop " + server.endpoint().name(), () -> {
                try {
                    server.stop();
                } catch (TopologyException e) {
                    server.kill();
                }
            });
        }
        closeSharedServers();
        quietly("delete " + workDirectory, () -> Files2.deleteRecursively(workDirectory));
        if (Thread.currentThread() != shutdownHook) {
            quietly("remove the shutdown hook", () -> Runtime.getRuntime().removeShutdownHook(shutdownHook));
        }
    }
}
