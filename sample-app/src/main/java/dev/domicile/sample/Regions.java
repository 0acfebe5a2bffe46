package dev.domicile.sample;

import dev.domicile.partition.FilePartitionMapStore;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Lsn;
import dev.domicile.testkit.Topology;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The service running in every region of a topology: one Micronaut {@link EmbeddedServer} (its own
 * {@link ApplicationContext}) per site, on its own 127.0.0.1 port, configured by {@link RegionConfig}. Each service
 * creates the notes table on its home primary as it starts; {@link #start} returns once every replica has replayed
 * that, so the first read anywhere finds the table.
 *
 * <p>{@link #close()} stops every server and deletes the partition map files; the topology stays the caller's. Not
 * thread-safe; start and close from one thread.
 */
public final class Regions implements AutoCloseable {

    private final Map<String, EmbeddedServer> servers;
    private final Map<String, URI> urls;
    private final Path mapDirectory;

    private Regions(Map<String, EmbeddedServer> servers, Map<String, URI> urls, Path mapDirectory) {
        this.servers = servers;
        this.urls = Collections.unmodifiableMap(new LinkedHashMap<>(urls));
        this.mapDirectory = mapDirectory;
    }

    /** Starts a service in every site of {@code topology}, without a control server; see the other overload. */
    public static Regions start(Topology topology, Duration replicationTimeout) {
        return start(topology, replicationTimeout, null);
    }

    /**
     * Starts a service in every site of {@code topology} (which must run a Redis per site, for the sessions), on
     * free loopback ports.
     *
     * @param replicationTimeout how long to wait for every replica to replay the schema
     * @param control            the control server the status pages show (edge, authority, drill), or null
     * @throws IllegalStateException if a service fails to start or the replicas do not catch up in time; whatever
     *                               had started is stopped again
     */
    public static Regions start(Topology topology, Duration replicationTimeout, URI control) {
        Map<String, URI> urls = new LinkedHashMap<>();
        List<Integer> ports = freePorts(topology.sites().size());
        for (int i = 0; i < ports.size(); i++) {
            urls.put(topology.sites().get(i), URI.create("http://127.0.0.1:" + ports.get(i)));
        }
        Path mapDirectory;
        try {
            mapDirectory = Files.createTempDirectory("domicile-sample-maps");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the partition map files", e);
        }
        Regions regions = new Regions(new LinkedHashMap<>(), urls, mapDirectory);
        try {
            PartitionMapDefinition homes = Homes.definition(topology);
            RegionConfig.Secrets secrets = RegionConfig.Secrets.random();
            for (String region : topology.sites()) {
                Path mapFile = mapDirectory.resolve(region + ".json");
                FilePartitionMapStore.create(mapFile, homes).close();
                regions.servers.put(region, ApplicationContext.run(EmbeddedServer.class,
                        RegionConfig.properties(topology, region, urls, mapFile, secrets, control)));
            }
            awaitReplicas(topology, replicationTimeout);
            return regions;
        } catch (RuntimeException e) {
            try {
                regions.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The regions, in the topology's order. */
    public List<String> names() {
        return List.copyOf(servers.keySet());
    }

    /** Every region's base URL, e.g. {@code http://127.0.0.1:41234}, in the topology's order of sites. */
    public Map<String, URI> urls() {
        return urls;
    }

    /**
     * The base URL of {@code region}.
     *
     * @throws IllegalArgumentException if no service runs there
     */
    public URI url(String region) {
        URI url = urls.get(region);
        if (url == null) {
            throw new IllegalArgumentException("no service in region '" + region + "'; regions: " + urls.keySet());
        }
        return url;
    }

    /** Stops every server (the first failure is thrown after all were tried) and deletes the map files. */
    @Override
    public void close() {
        RuntimeException failure = null;
        List<EmbeddedServer> running = new ArrayList<>(servers.values());
        servers.clear();
        for (EmbeddedServer server : running.reversed()) {
            try {
                server.getApplicationContext().close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try (Stream<Path> files = Files.walk(mapDirectory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            UncheckedIOException unchecked = new UncheckedIOException("cannot delete " + mapDirectory, e);
            if (failure == null) {
                failure = unchecked;
            } else {
                failure.addSuppressed(unchecked);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits until every replica has replayed what its primary had written when this was called. */
    static void awaitReplicas(Topology topology, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String partition : topology.partitions()) {
            Lsn written = topology.currentLsn(topology.primary(partition));
            for (Endpoint replica : topology.replicas(partition)) {
                while (topology.replayLsn(replica).compareTo(written) < 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("replica " + replica.name() + " did not replay " + written
                                + " of its primary within " + timeout + "; it is at " + topology.replayLsn(replica));
                    }
                    sleepBriefly();
                }
            }
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the replicas", e);
        }
    }

    /**
     * {@code count} distinct ports that were free on 127.0.0.1 a moment ago. Known in advance so that every service
     * can be told every region's URL; another process could take one in between, which then fails start-up.
     */
    private static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // the port is ours until the JVM exits then; start-up will say so if it is in use
                }
            }
        }
    }
}
