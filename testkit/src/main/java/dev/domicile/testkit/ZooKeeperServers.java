package dev.domicile.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/**
 * The in-JVM ZooKeeper of a topology: a curator-test {@link TestingServer}, or a {@link TestingCluster} ensemble.
 * Tick time is 1 s, so sessions may be 2 s to 20 s long; tests should ask for at least 4 s.
 */
final class ZooKeeperServers implements AutoCloseable {

    static final int TICK_TIME_MILLIS = 1000;
    static final String HOST = "127.0.0.1";

    private final List<InstanceSpec> specs;
    private final TestingServer single;
    private final TestingCluster cluster;

    private ZooKeeperServers(List<InstanceSpec> specs, TestingServer single, TestingCluster cluster) {
        this.specs = specs;
        this.single = single;
        this.cluster = cluster;
    }

    static ZooKeeperServers start(int count, Path directory) {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path data = directory.resolve("zk-" + i);
            try {
                java.nio.file.Files.createDirectories(data);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot create " + data, e);
            }
            int electionPort = count == 1 ? -1 : Ports.free();
            int quorumPort = count == 1 ? -1 : Ports.free();
            specs.add(new InstanceSpec(data.toFile(), Ports.free(), electionPort, quorumPort,
                    true, i + 1, TICK_TIME_MILLIS, 0,
                    Map.of("clientPortAddress", HOST, "admin.enableServer", "false"), HOST));
        }
        try {
            if (count == 1) {
                return new ZooKeeperServers(specs, new TestingServer(specs.get(0), true), null);
            }
            TestingCluster cluster = new TestingCluster(specs);
            cluster.start();
            return new ZooKeeperServers(specs, null, cluster);
        } catch (Exception e) {
            throw new TopologyException("ZooKeeper failed to start on " + specs + ": " + e.getMessage(), e);
        }
    }

    String connectString() {
        return single != null ? single.getConnectString() : cluster.getConnectString();
    }

    List<InetSocketAddress> addresses() {
        return specs.stream().map(s -> new InetSocketAddress(HOST, s.getPort())).toList();
    }

    int size() {
        return specs.size();
    }

    void stop(int index) {
        InstanceSpec spec = spec(index);
        try {
            if (single != null) {
                single.stop();
            } else {
                cluster.killServer(spec);
            }
        } catch (Exception e) {
            throw new TopologyException("cannot stop ZooKeeper server " + index + ": " + e.getMessage(), e);
        }
    }

    void start(int index) {
        InstanceSpec spec = spec(index);
        try {
            if (single != null) {
                single.restart();
            } else {
                cluster.restartServer(spec);
            }
        } catch (Exception e) {
            throw new TopologyException("cannot start ZooKeeper server " + index + ": " + e.getMessage(), e);
        }
    }

    private InstanceSpec spec(int index) {
        if (index < 0 || index >= specs.size()) {
            throw new IllegalArgumentException("ZooKeeper server index " + index + " out of 0.." + (specs.size() - 1));
        }
        return specs.get(index);
    }

    @Override
    public void close() throws IOException {
        if (single != null) {
            single.close();
        } else {
            cluster.close();
        }
    }
}
