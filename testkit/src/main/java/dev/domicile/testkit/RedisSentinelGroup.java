package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A Redis master with replicas, watched by Sentinels ({@code redis-server --sentinel}, the same binary), all on
 * 127.0.0.1, each in its own directory under a temporary one deleted on {@link #close()}.
 *
 * <p>{@link #start(String, int, int)} returns once every replica is in sync and every Sentinel knows the master, every
 * replica and the other Sentinels (clients such as Redisson check that). {@link #failover()} runs
 * {@code SENTINEL FAILOVER} and returns once every Sentinel names the new master and the old one is its replica.
 *
 * <p>Not thread-safe; one test drives it. Data nodes keep an append-only file ({@code appendfsync everysec}).
 */
public final class RedisSentinelGroup implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String masterName;
    private final Path directory;
    private final List<RedisProcess> dataNodes = new ArrayList<>();
    private final List<RedisProcess> sentinels = new ArrayList<>();

    private RedisSentinelGroup(String masterName, Path directory) {
        this.masterName = masterName;
        this.directory = directory;
    }

    /**
     * Starts a master, {@code replicas} replicas and {@code sentinels} Sentinels (quorum: a majority).
     *
     * @throws IllegalArgumentException if {@code replicas < 1} or {@code sentinels < 2} (Redisson wants two)
     * @throws TopologyException        if a server does not start or the group does not settle within 60 s
     */
    public static RedisSentinelGroup start(String masterName, int replicas, int sentinels) {
        Objects.requireNonNull(masterName, "masterName");
        if (replicas < 1 || sentinels < 2) {
            throw new IllegalArgumentException("a Sentinel group needs at least 1 replica and 2 Sentinels; got "
                    + replicas + " and " + sentinels);
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("domicile-sentinel-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Sentinel group's directory", e);
        }
        RedisSentinelGroup group = new RedisSentinelGroup(masterName, directory);
        try {
            group.startServers(replicas, sentinels);
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    private void startServers(int replicas, int sentinelCount) {
        RedisNode master = node("master");
        dataNodes.add(new RedisProcess(master, directory.resolve("master"), "", List.of()));
        for (int i = 1; i <= replicas; i++) {
            dataNodes.add(new RedisProcess(node("replica-" + i), directory.resolve("replica-" + i), "",
                    List.of("--replicaof", master.host(), Integer.toString(master.port()))));
        }
        dataNodes.forEach(RedisProcess::start);
        for (RedisProcess replica : dataNodes.subList(1, dataNodes.size())) {
            await("replica " + replica.node().port() + " in sync", () -> "up".equals(
                    RedisWire.info(replica.node(), "replication").get("master_link_status")));
        }
        String configuration = "sentinel resolve-hostnames no\n"
                + "sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " "
                + (sentinelCount / 2 + 1) + "\n"
                + "sentinel down-after-milliseconds " + masterName + " 5000\n"
                + "sentinel failover-timeout " + masterName + " 20000\n"
                + "sentinel parallel-syncs " + masterName + " 1\n";
        for (int i = 1; i <= sentinelCount; i++) {
            RedisProcess sentinel = new RedisProcess(node("sentinel-" + i), directory.resolve("sentinel-" + i),
                    configuration, List.of("--sentinel"));
            sentinels.add(sentinel);
            sentinel.start();
        }
        awaitSettled(master);
    }

    /** The master name the Sentinels monitor. */
    public String masterName() {
        return masterName;
    }

    /** The Sentinels. */
    public List<RedisNode> sentinels() {
        return sentinels.stream().map(RedisProcess::node).toList();
    }

    /** The Sentinels' addresses, {@code redis://host:port}, as a client is configured with them. */
    public List<String> sentinelUris() {
        return sentinels().stream().map(RedisNode::uri).toList();
    }

    /** The master and replicas, in start order (the first was the first master). */
    public List<RedisNode> dataNodes() {
        return dataNodes.stream().map(RedisProcess::node).toList();
    }

    /** The current master, as the first Sentinel reports it. */
    public RedisNode master() {
        try {
            return masterSeenBy(sentinels.getFirst().node());
        } catch (IOException e) {
            throw new TopologyException("cannot ask Sentinel for the master: " + e.getMessage(), e);
        }
    }

    /**
     * Fails the master over to a replica with {@code SENTINEL FAILOVER} (no agreement needed, no data node stopped)
     * and waits until every Sentinel names the new master, it accepts writes, and the old master replicates from it.
     * Writes the old master had not yet sent to a replica are lost, as in any Redis failover.
     *
     * @return the new master
     */
    public RedisNode failover() {
        RedisNode old = master();
        await("SENTINEL FAILOVER accepted", () -> {
            try {
                return "OK".equals(RedisWire.call(sentinels.getFirst().node(), "SENTINEL", "FAILOVER", masterName));
            } catch (IOException e) {
                return false; // e.g. NOGOODSLAVE while the replica is still being checked; ask again
            }
        });
        await("a new master named by every Sentinel", () -> {
            for (RedisProcess sentinel : sentinels) {
                if (masterSeenBy(sentinel.node()).port() == old.port()) {
                    return false;
                }
            }
            return true;
        });
        RedisNode promoted = master();
        await("the new master " + promoted.port() + " writable and the old one its replica", () ->
                "master".equals(RedisWire.info(promoted, "replication").get("role"))
                        && "up".equals(RedisWire.info(old, "replication").get("master_link_status"))
                        && Integer.toString(promoted.port()).equals(
                                RedisWire.info(old, "replication").get("master_port")));
        awaitSettled(promoted);
        return promoted;
    }

    /**
     * Waits until every replica has acknowledged all the master has written (replication is asynchronous: a failover
     * loses what the replicas had not received).
     */
    public void awaitReplicasInSync() {
        RedisNode master = master();
        await("every replica of " + master.port() + " in sync", () -> {
            Map<String, String> info = RedisWire.info(master, "replication");
            String offset = info.get("master_repl_offset");
            long inSync = info.entrySet().stream()
                    .filter(e -> e.getKey().matches("slave\\d+"))
                    .filter(e -> e.getValue().contains("state=online") && e.getValue().contains("offset=" + offset + ","))
                    .count();
            return inSync == dataNodes.size() - 1;
        });
    }

    /** Stops every server and deletes the directory. Never throws. */
    @Override
    public void close() {
        sentinels.forEach(s -> AbstractTopology.quietly("stop a Sentinel", s::stop));
        dataNodes.forEach(d -> AbstractTopology.quietly("stop a Redis of the Sentinel group", d::stop));
        AbstractTopology.quietly("delete " + directory, () -> Files2.deleteRecursively(directory));
    }

    private void awaitSettled(RedisNode master) {
        int replicas = dataNodes.size() - 1;
        for (RedisProcess sentinel : sentinels) {
            RedisNode at = sentinel.node();
            await("Sentinel " + at.port() + " knows the master, " + replicas + " replicas and the other Sentinels",
                    () -> masterSeenBy(at).port() == master.port()
                            && healthy(RedisWire.call(at, "SENTINEL", "REPLICAS", masterName)) == replicas
                            && healthy(RedisWire.call(at, "SENTINEL", "SENTINELS", masterName))
                            == sentinels.size() - 1);
        }
    }

    private RedisNode masterSeenBy(RedisNode sentinel) throws IOException {
        List<?> address = (List<?>) RedisWire.call(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
        int port = Integer.parseInt((String) address.get(1));
        return dataNodes.stream().map(RedisProcess::node).filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new TopologyException("Sentinel names an unknown master port " + port));
    }

    /** How many entries of a {@code SENTINEL REPLICAS/SENTINELS} reply are neither down nor disconnected. */
    private static long healthy(Object reply) {
        return ((List<?>) reply).stream().map(RedisWire::pairs).map(m -> m.getOrDefault("flags", ""))
                .filter(flags -> !flags.contains("down") && !flags.contains("disconnected")).count();
    }

    private static RedisNode node(String name) {
        return new RedisNode("sentinel-group/" + name, ZooKeeperServers.HOST, Ports.free());
    }

    private static void await(String what, Callable<Boolean> condition) {
        Polling.await("the Sentinel group", what, TIMEOUT, condition);
    }
}
