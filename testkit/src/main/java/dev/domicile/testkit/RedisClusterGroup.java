package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A Redis Cluster of masters only, on 127.0.0.1, made by hand as an operator would: each node started with
 * {@code cluster-enabled yes} (and an explicit {@code cluster-port} for the bus), joined with {@code CLUSTER MEET},
 * and given an equal share of the 16384 slots with {@code CLUSTER ADDSLOTSRANGE}. Each node has its own directory
 * under a temporary one deleted on {@link #close()}.
 *
 * <p>{@link #start(int)} returns once every node reports {@code cluster_state:ok}, knows every other node and sees all
 * slots assigned. Not thread-safe; one test drives it.
 */
public final class RedisClusterGroup implements AutoCloseable {

    private static final int SLOTS = 16_384;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final List<RedisProcess> nodes = new ArrayList<>();

    private RedisClusterGroup(Path directory) {
        this.directory = directory;
    }

    /**
     * Starts {@code masters} masters and forms the cluster.
     *
     * @throws IllegalArgumentException if {@code masters < 3} (Redis Cluster's minimum for a majority)
     * @throws TopologyException        if a node does not start or the cluster is not formed within 60 s
     */
    public static RedisClusterGroup start(int masters) {
        if (masters < 3) {
            throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters; got " + masters);
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("domicile-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's directory", e);
        }
        RedisClusterGroup group = new RedisClusterGroup(directory);
        try {
            group.form(masters);
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    private void form(int masters) {
        for (int i = 1; i <= masters; i++) {
            RedisNode node = new RedisNode("cluster/node-" + i, ZooKeeperServers.HOST, Ports.free());
            nodes.add(new RedisProcess(node, directory.resolve("node-" + i), "", List.of(
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-port", Integer.toString(Ports.free()), "--cluster-node-timeout", "5000")));
        }
        nodes.forEach(RedisProcess::start);
        RedisNode first = nodes.getFirst().node();
        try {
            for (RedisNode node : nodes()) {
                if (!node.equals(first)) {
                    RedisWire.call(first, "CLUSTER", "MEET", node.host(), Integer.toString(node.port()),
                            Integer.toString(busPort(node)));
                }
            }
            for (int i = 0; i < masters; i++) {
                int from = SLOTS * i / masters;
                int to = SLOTS * (i + 1) / masters - 1;
                RedisWire.call(nodes.get(i).node(), "CLUSTER", "ADDSLOTSRANGE", Integer.toString(from),
                        Integer.toString(to));
            }
        } catch (IOException e) {
            throw new TopologyException("cannot form the Redis Cluster: " + e.getMessage(), e);
        }
        for (RedisNode node : nodes()) {
            await("node " + node.port() + " in a healthy cluster of " + masters, () -> {
                Map<String, String> info = clusterInfo(node);
                return "ok".equals(info.get("cluster_state"))
                        && Integer.toString(masters).equals(info.get("cluster_known_nodes"))
                        && Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"));
            });
        }
    }

    /** The nodes, all masters. */
    public List<RedisNode> nodes() {
        return nodes.stream().map(RedisProcess::node).toList();
    }

    /** Every node's address, {@code redis://host:port}, as a client is seeded with them. */
    public List<String> seedUris() {
        return nodes().stream().map(RedisNode::uri).toList();
    }

    /** Stops every node and deletes the directory. Never throws. */
    @Override
    public void close() {
        nodes.forEach(n -> AbstractTopology.quietly("stop a Redis Cluster node", n::stop));
        AbstractTopology.quietly("delete " + directory, () -> Files2.deleteRecursively(directory));
    }

    private int busPort(RedisNode node) {
        RedisProcess process = nodes.stream().filter(p -> p.node().equals(node)).findFirst().orElseThrow();
        return Integer.parseInt(process.argumentAfter("--cluster-port"));
    }

    private static Map<String, String> clusterInfo(RedisNode node) throws IOException {
        return RedisWire.fields((String) RedisWire.call(node, "CLUSTER", "INFO"));
    }

    private static void await(String what, Callable<Boolean> condition) {
        Polling.await("the Redis Cluster", what, TIMEOUT, condition);
    }
}
