package dev.domicile.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.CockroachContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A topology whose databases run in Testcontainers containers, one per site: PostgreSQL (primaries only) or
 * single-node CockroachDB whose locality region is the site's name. Redis and ZooKeeper run as in
 * {@link EmbeddedTopology}. Needs a Docker engine; see {@link #dockerAvailable()}.
 *
 * <p>Stopping, killing and restarting a database, replicas and replay control are not offered: containers get new
 * ports on restart, and streaming replicas are what the embedded provider is for. Those operations throw
 * {@link UnsupportedOperationException} naming the provider.
 */
final class ContainerTopology extends AbstractTopology {

    static final String POSTGRES_IMAGE = "postgres:17-alpine";
    static final String COCKROACH_IMAGE = "cockroachdb/cockroach:v24.3.5";

    private final List<GenericContainer<?>> containers;
    private final Path workDirectory;
    private volatile boolean closed;

    private ContainerTopology(TopologySpec spec, List<Endpoint> endpoints, List<GenericContainer<?>> containers,
                              Path workDirectory) {
        super(spec, endpoints, new Services(spec, workDirectory));
        this.containers = containers;
        this.workDirectory = workDirectory;
    }

    /** Whether a Docker engine answers; Testcontainers' own discovery decides. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static ContainerTopology start(TopologySpec spec) {
        if (!dockerAvailable()) {
            throw new TopologyException("provider " + spec.provider().key() + " needs a Docker engine and none was"
                    + " found; use the embedded provider (-D" + TopologyProvider.PROPERTY + "=embedded)");
        }
        List<GenericContainer<?>> containers = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        ContainerTopology topology = null;
        try (ExecutorService pool = Executors.newFixedThreadPool(3,
                Thread.ofPlatform().name("domicile-containers-start-", 1).factory())) {
            spec.sites().forEach(site -> containers.add(container(spec.provider(), site.name())));
            List<Future<?>> started = containers.stream().<Future<?>>map(c -> pool.submit(c::start)).toList();
            for (Future<?> future : started) {
                future.get();
            }
            for (int i = 0; i < spec.sites().size(); i++) {
                TopologySpec.Site site = spec.sites().get(i);
                GenericContainer<?> container = containers.get(i);
                boolean cockroach = spec.provider() == TopologyProvider.COCKROACHDB_CONTAINERS;
                endpoints.add(new Endpoint(site.partition() + "-primary", site.name(), site.partition(), Role.PRIMARY,
                        container.getHost(), container.getMappedPort(cockroach ? 26257 : 5432), "postgres",
                        cockroach ? "root" : "postgres"));
            }
            topology = new ContainerTopology(spec, endpoints, containers,
                    Files.createTempDirectory("domicile-containers-"));
            for (Future<?> future : topology.services().start(pool)) {
                future.get();
            }
            return topology;
        } catch (ExecutionException | IOException | RuntimeException e) {
            stopAll(containers);
            if (topology != null) {
                topology.close();
            }
            throw new TopologyException("cannot start the " + spec.provider().key() + " topology: " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopAll(containers);
            throw new TopologyException("interrupted while starting containers", e);
        }
    }

    private static GenericContainer<?> container(TopologyProvider provider, String site) {
        if (provider == TopologyProvider.COCKROACHDB_CONTAINERS) {
            // The node's locality names its site as its region, so gateway_region() and crdb_region match the site.
            return new CockroachContainer(COCKROACH_IMAGE)
                    .withCommand("start-single-node --insecure --locality=region=" + site);
        }
        return new PostgreSQLContainer<>(POSTGRES_IMAGE)
                .withDatabaseName("postgres")
                .withUsername("postgres")
                .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust");
    }

    private static void stopAll(List<GenericContainer<?>> containers) {
        containers.forEach(c -> quietly("stop container " + c.getDockerImageName(), c::stop));
    }

    private UnsupportedOperationException unsupported(String operation) {
        return new UnsupportedOperationException(operation + " is not supported by the " + spec().provider().key()
                + " provider; use the embedded provider for fault injection on databases");
    }

    @Override
    public void stop(Endpoint endpoint) {
        throw unsupported("stop(endpoint)");
    }

    @Override
    public void kill(Endpoint endpoint) {
        throw unsupported("kill(endpoint)");
    }

    @Override
    public void start(Endpoint endpoint) {
        throw unsupported("start(endpoint)");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopAll(containers);
        closeSharedServers();
        quietly("delete " + workDirectory, () -> Files2.deleteRecursively(workDirectory));
    }
}
