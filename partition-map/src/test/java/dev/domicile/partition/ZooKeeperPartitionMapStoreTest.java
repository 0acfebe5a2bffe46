package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The ZooKeeper store on the testkit's real ZooKeeper (tick time 1 s; sessions of 6 s). */
class ZooKeeperPartitionMapStoreTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").replicasPerSite(0).redis(false));

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    @TempDir
    Path directory;

    @AfterEach
    void closeEverything() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
    }

    @Test
    void aChangeBasedOnAnOldVersionFailsAndExactlyOneOfRacingWritersWins() throws Exception {
        CuratorFramework client = client(topology().zooKeeperConnectString());
        ZooKeeperMapStoreConfig config = ZooKeeperMapStoreConfig.of("/domicile/cas");
        ZooKeeperPartitionMapStore.initialize(client, config, PartitionMapTest.twoSites(), 256);
        ZooKeeperPartitionMapStore store = open(client, config);
        assertThat(store.current().version()).isEqualTo(1);

        assertThat(store.apply(new MapChange.AssignUser("bob", PartitionId.of("eu")), 1)).isEqualTo(2);
        assertThatThrownBy(() -> store.apply(new MapChange.AssignUser("carol", PartitionId.of("eu")), 1))
                .isInstanceOf(ConcurrentChangeException.class)
                .hasMessage("assigning a user to partition eu was based on map version 1 but the map is now at"
                        + " version 2; re-read the map and retry");

        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String user = "racer-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.apply(new MapChange.AssignUser(user, PartitionId.of("us")), 2);
                }));
            }
            start.countDown();
            int won = 0;
            int conflicts = 0;
            for (Future<Long> result : results) {
                try {
                    assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(3);
                    won++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ConcurrentChangeException.class);
                    conflicts++;
                }
            }
            assertThat(won).isEqualTo(1);
            assertThat(conflicts).isEqualTo(writers - 1);
        } finally {
            pool.shutdownNow();
        }
        await().atMost(PATIENCE).until(() -> store.current().version() == 3);
        assertThat(store.current().homeOf("bob").source()).isEqualTo(Home.Source.ASSIGNMENT);
        assertThat(store.current().assignmentCount()).isEqualTo(3);

        long v4 = store.apply(new MapChange.AddSite(SiteId.of("ap-south")), 3);
        long v5 = store.apply(new MapChange.AddPartition(Partition.of("ap", "ap-south")), v4);
        store.apply(new MapChange.ReplaceRules(List.of(new Rule.Prefix("ap:", PartitionId.of("ap")))), v5);
        await().atMost(PATIENCE).until(() -> store.current().version() == 6);
        assertThat(store.current().homeOf("ap:dan").partitionId().value()).isEqualTo("ap");
        assertThat(store.current().homeOf("bob").partitionId().value()).isEqualTo("eu");
    }

    @Test
    void threeWatchingRoutersSwapToEachNewVersionQuickly() {
        ZooKeeperMapStoreConfig config = ZooKeeperMapStoreConfig.of("/domicile/propagation");
        CuratorFramework writerClient = client(topology().zooKeeperConnectString());
        ZooKeeperPartitionMapStore.initialize(writerClient, config, PartitionMapTest.twoSites(), 256);
        List<Map<Long, Long>> seen = new ArrayList<>();
        List<ZooKeeperPartitionMapStore> routers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Map<Long, Long> times = new ConcurrentHashMap<>();
            ZooKeeperPartitionMapStore router = open(client(topology().zooKeeperConnectString()), config);
            router.addListener(new PartitionMapListener() {
                @Override
                public void onUpdate(PartitionMap previous, PartitionMap current) {
                    times.put(current.version(), System.nanoTime());
                }
            });
            seen.add(times);
            routers.add(router);
        }
        int changes = 100;
        List<Long> latencies = new ArrayList<>();
        long version = 1;
        for (int i = 0; i < changes; i++) {
            long start = System.nanoTime();
            long next = routers.get(0).apply(new MapChange.AssignUser("mover", PartitionId.of(i % 2 == 0 ? "eu"
                    : "us")), version);
            await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> seen.stream().allMatch(times -> times.containsKey(next)));
            for (Map<Long, Long> times : seen) {
                latencies.add(times.get(next) - start);
            }
            version = next;
        }
        latencies.sort(null);
        double p50 = latencies.get(latencies.size() / 2) / 1e6;
        double p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1) / 1e6;
        double max = latencies.get(latencies.size() - 1) / 1e6;
        System.out.printf("propagation of %d CAS writes to 3 routers (%d samples): p50 %.1f ms, p99 %.1f ms,"
                + " max %.1f ms%n", changes, latencies.size(), p50, p99, max);
        // The target (p99 < 500 ms on loopback) is reported from the printed figure; the assertion only guards
        // against a broken propagation, generously, because 2 shared cores can stall any thread for a while.
        assertThat(p99).isLessThan(5_000.0);
        for (ZooKeeperPartitionMapStore router : routers) {
            assertThat(router.current().homeOf("mover").partitionId().value()).isEqualTo("us");
        }
    }

    @Test
    void aMillionAssignmentsLoadInSeconds() {
        int users = 1_000_000;
        Map<String, PartitionId> assignments = new HashMap<>(users * 2);
        PartitionId eu = PartitionId.of("eu");
        PartitionId us = PartitionId.of("us");
        for (int i = 0; i < users; i++) {
            assignments.put("user-" + i, i % 3 == 0 ? us : eu);
        }
        PartitionMapDefinition base = PartitionMapTest.twoSites();
        PartitionMapDefinition definition = new PartitionMapDefinition(1, base.sites(), base.partitions(),
                base.rules(), assignments);
        assignments = null;
        ZooKeeperMapStoreConfig config = ZooKeeperMapStoreConfig.of("/domicile/large")
                .withStartTimeout(Duration.ofSeconds(60));
        CuratorFramework writer = client(topology().zooKeeperConnectString());
        long startInit = System.nanoTime();
        ZooKeeperPartitionMapStore.initialize(writer, config, definition, 1024);
        double initSeconds = (System.nanoTime() - startInit) / 1e9;
        definition = null;

        CuratorFramework reader = client(topology().zooKeeperConnectString());
        long startLoad = System.nanoTime();
        ZooKeeperPartitionMapStore store = open(reader, config);
        double loadSeconds = (System.nanoTime() - startLoad) / 1e9;
        System.out.printf("1,000,000 assignments in 1024 shards: initialize %.2f s, open and load %.2f s%n",
                initSeconds, loadSeconds);
        assertThat(store.current().assignmentCount()).isEqualTo(users);
        assertThat(loadSeconds).isLessThan(20.0);
        for (int i = 0; i < users; i += 997) {
            assertThat(store.current().homeOf("user-" + i).partitionId()).isEqualTo(i % 3 == 0 ? us : eu);
        }

        Assignments was = store.current().assignments();
        long moved = store.apply(new MapChange.AssignUser("user-3", eu), 1);
        await().atMost(PATIENCE).until(() -> store.current().version() == moved);
        assertThat(store.current().homeOf("user-3").partitionId()).isEqualTo(eu);
        assertThat(store.current().assignmentCount()).isEqualTo(users);
        for (int i = 6; i < users; i += 997) {
            assertThat(store.current().homeOf("user-" + i).partitionId()).isEqualTo(i % 3 == 0 ? us : eu);
        }
        Assignments now = store.current().assignments();
        int changedChunk = Assignments.shardOf(KeyHash.routing("user-3"), 1024) / Assignments.SHARDS_PER_CHUNK;
        for (int shard = 0; shard < 1024; shard += Assignments.SHARDS_PER_CHUNK) {
            boolean shared = now.chunkOf(shard) == was.chunkOf(shard);
            assertThat(shared).as("chunk of shards from %d shared with the previous version", shard)
                    .isEqualTo(shard / Assignments.SHARDS_PER_CHUNK != changedChunk);
        }
    }

    @Test
    void aMalformedDocumentIsRejectedAndTheLastGoodMapStays() throws Exception {
        CuratorFramework client = client(topology().zooKeeperConnectString());
        ZooKeeperMapStoreConfig config = ZooKeeperMapStoreConfig.of("/domicile/malformed");
        ZooKeeperPartitionMapStore.initialize(client, config, PartitionMapTest.twoSites(), 256);
        ZooKeeperPartitionMapStore store = open(client(topology().zooKeeperConnectString()), config);
        List<Rejection> rejections = new CopyOnWriteArrayList<>();
        store.addListener(new PartitionMapListener() {
            @Override
            public void onRejected(Rejection rejection) {
                rejections.add(rejection);
            }
        });
        String mapPath = "/domicile/malformed/map";
        byte[] good = client.getData().forPath(mapPath);

        client.setData().forPath(mapPath, "{\"version\": 2, \"sites\": [".getBytes(StandardCharsets.UTF_8));
        await().atMost(PATIENCE).until(() -> rejections.size() == 1);
        assertThat(rejections.get(0).documentVersion()).isEqualTo(1);
        assertThat(rejections.get(0).problem()).contains("malformed JSON");
        assertThat(rejections.get(0).mapInForce()).isEqualTo(1);
        assertThat(store.current().version()).isEqualTo(1);
        assertThat(store.current().homeOf("alice").partitionId().value()).isEqualTo("us");
        assertThatThrownBy(() -> store.apply(new MapChange.AddSite(SiteId.of("x")), 1))
                .isInstanceOf(PartitionMapStoreException.class).hasMessageContaining("repair it");

        String unknownPartition = new String(good, StandardCharsets.UTF_8).replace("\"version\" : 1",
                "\"version\" : 2").replace("\"partition\" : \"us\"", "\"partition\" : \"mars\"");
        client.setData().forPath(mapPath, unknownPartition.getBytes(StandardCharsets.UTF_8));
        await().atMost(PATIENCE).until(() -> rejections.size() == 2);
        assertThat(rejections.get(1).documentVersion()).isEqualTo(2);
        assertThat(rejections.get(1).problem()).contains("unknown partition mars");
        assertThat(store.lastRejection()).contains(rejections.get(1));

        String repaired = new String(good, StandardCharsets.UTF_8).replace("\"version\" : 1", "\"version\" : 2");
        client.setData().forPath(mapPath, repaired.getBytes(StandardCharsets.UTF_8));
        await().atMost(PATIENCE).until(() -> store.current().version() == 2);
        assertThat(store.stale()).isFalse();
    }

    @Test
    void losingZooKeeperFlagsTheMapStaleKeepsItAndASnapshotServesARestart() throws Exception {
        Topology topology = topology();
        ZooKeeperMapStoreConfig config = ZooKeeperMapStoreConfig.of("/domicile/loss")
                .withSnapshotFile(directory.resolve("map.snapshot"))
                .withStartTimeout(Duration.ofSeconds(4));
        CuratorFramework writer = client(topology.zooKeeperConnectString());
        ZooKeeperPartitionMapStore.initialize(writer, config, PartitionMapTest.twoSites(), 256);
        ZooKeeperPartitionMapStore writerStore = open(writer, ZooKeeperMapStoreConfig.of(config.rootPath()));
        writerStore.apply(new MapChange.AssignUser("bob", PartitionId.of("us")), 1);

        ZooKeeperPartitionMapStore router = open(client(topology.zooKeeperConnectString("eu-west")), config);
        await().atMost(PATIENCE).until(() -> router.current().version() == 2
                && directory.resolve("map.snapshot").toFile().exists());
        List<String> events = new CopyOnWriteArrayList<>();
        router.addListener(new PartitionMapListener() {
            @Override
            public void onStale(PartitionMap served, String reason) {
                events.add("stale " + served.version());
            }

            @Override
            public void onFresh(PartitionMap current) {
                events.add("fresh " + current.version());
            }
        });
        assertThat(router.stale()).isFalse();

        topology.zooKeeperLink("eu-west").blackhole();
        try {
            await().atMost(PATIENCE).until(router::stale);
            assertThat(events).containsExactly("stale 2");
            assertThat(router.current().version()).isEqualTo(2);
            assertThat(router.current().homeOf("bob").partitionId().value()).isEqualTo("us");

            writerStore.apply(new MapChange.AssignUser("carol", PartitionId.of("us")), 2);

            CuratorFramework restartedClient = CuratorFrameworkFactory.builder()
                    .connectString(topology.zooKeeperConnectString("eu-west")).sessionTimeoutMs(6000)
                    .connectionTimeoutMs(3000).retryPolicy(new ExponentialBackoffRetry(200, 2)).build();
            resources.push(restartedClient);
            restartedClient.start();
            ZooKeeperPartitionMapStore restarted = ZooKeeperPartitionMapStore.open(restartedClient, config);
            resources.push(restarted);
            assertThat(restarted.stale()).isTrue();
            assertThat(restarted.current().version()).isEqualTo(2);
            assertThat(restarted.current().homeOf("bob").partitionId().value()).isEqualTo("us");
            assertThat(router.current().version()).isEqualTo(2);

            topology.zooKeeperLink("eu-west").heal();
            await().atMost(PATIENCE).until(() -> !router.stale() && router.current().version() == 3);
            await().atMost(PATIENCE).until(() -> !restarted.stale() && restarted.current().version() == 3);
            assertThat(events).containsExactly("stale 2", "fresh 3");
        } finally {
            topology.zooKeeperLink("eu-west").heal();
        }
    }

    private static Topology topology() {
        return TOPOLOGY.topology();
    }

    private ZooKeeperPartitionMapStore open(CuratorFramework client, ZooKeeperMapStoreConfig config) {
        ZooKeeperPartitionMapStore store = ZooKeeperPartitionMapStore.open(client, config);
        resources.push(store);
        return store;
    }

    private CuratorFramework client(String connectString) {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs(6000).connectionTimeoutMs(3000)
                .retryPolicy(new ExponentialBackoffRetry(200, 3)).build();
        resources.push(client);
        client.start();
        try {
            assertThat(client.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return client;
    }
}
