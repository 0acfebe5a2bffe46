package dev.domicile.router.faults;

import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AdmissionListener;
import dev.domicile.authority.Authority;
import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.Fence;
import dev.domicile.authority.SiteLease;
import dev.domicile.authority.TakeoverRefusedException;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.router.RoutingDataSource;
import dev.domicile.router.TopologyRouting;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;

/**
 * One fault test's world on a topology's real servers: a fresh authority root in ZooKeeper, routers of the two sites
 * (each with its own ZooKeeper client through the site's link, an authority watcher, write admission, optionally the
 * site lease, and a fenced {@link RoutingDataSource} reaching every database through the site's links), the
 * authority timeline of each partition, and a count of ZooKeeper session losses the test did not inject. Alice lives
 * in eu-west, Bob in us-east. Closes everything it made, in reverse order.
 */
final class FaultWorld implements AutoCloseable {

    static final String EU = "eu-west";
    static final String US = "us-east";
    static final PartitionId P = PartitionId.of(EU);
    static final PartitionId Q = PartitionId.of(US);
    static final Duration SESSION = Duration.ofSeconds(5);
    static final Duration MARGIN = Duration.ofSeconds(1);
    static final Duration FENCE_WAIT = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final byte[] CREDENTIALS = "domicile:router-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger ROOTS = new AtomicInteger();

    /** A router of one site and the authority parts it runs on. */
    record SiteRouter(String site, CuratorFramework client, AuthorityWatcher watcher, WriteAdmission admission,
                      SiteLease lease, RoutingDataSource dataSource) {
    }

    /** A takeover an operator made: the new authority, when its claim began and ended, when the fence was raised. */
    record Takeover(Authority authority, long claimStartNanos, long claimedNanos, long fencedNanos) {
    }

    final Topology topology;
    final String root;
    final String table;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Set<CuratorFramework> lossExpected = ConcurrentHashMap.newKeySet();
    private final AtomicInteger uninjectedLosses = new AtomicInteger();
    private final AtomicInteger injectedLosses = new AtomicInteger();
    private final Map<String, AuthorityTimeline> timelines = new ConcurrentHashMap<>();
    private volatile boolean allExpected;
    private AuthorityStore admin;

    FaultWorld(Topology topology, String name) {
        this.topology = Objects.requireNonNull(topology, "topology");
        int n = ROOTS.incrementAndGet();
        this.root = "/domicile/faults/" + n + "-" + name;
        this.table = "writes_" + n;
    }

    AuthorityConfig config(String site) {
        return AuthorityConfig.builder().rootPath(root).localSite(site).routerId(site + "-1").sites(EU, US)
                .failoverOrder(EU, EU, US).failoverOrder(US, US, EU)
                .sessionTimeout(SESSION).connectionTimeout(Duration.ofSeconds(2)).safetyMargin(MARGIN).build();
    }

    /** A started, connected client with the routers' credentials; {@code viaSite} null means no proxy. */
    CuratorFramework client(String name, String viaSite) {
        String connect = viaSite == null ? topology.zooKeeperConnectString() : topology.zooKeeperConnectString(viaSite);
        CuratorFramework client = config(EU).curatorBuilder(connect).authorization("digest", CREDENTIALS).build();
        resources.push(client);
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST) {
                if (allExpected || lossExpected.contains(c)) {
                    injectedLosses.incrementAndGet();
                } else {
                    uninjectedLosses.incrementAndGet();
                    System.out.println("UNINJECTED ZooKeeper session loss of " + name + " in " + root);
                }
            }
        });
        client.start();
        try {
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not connect to ZooKeeper within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return client;
    }

    void expectLoss(CuratorFramework client) {
        lossExpected.add(client);
    }

    /** From now on, session losses of {@code client} count as uninjected again. */
    void unexpectLoss(CuratorFramework client) {
        lossExpected.remove(client);
    }

    void expectLossOfAll() {
        allExpected = true;
    }

    int uninjectedLosses() {
        return uninjectedLosses.get();
    }

    int injectedLosses() {
        return injectedLosses.get();
    }

    /** Publishes epoch 1 for every partition (owned by its home site) and starts their timelines. */
    void initializeAuthority() {
        admin = AuthorityStore.of(client("admin", null), config(EU));
        for (String partition : topology.partitions()) {
            String home = topology.sites().get(topology.partitions().indexOf(partition));
            admin.initialize(PartitionId.of(partition), SiteId.of(home));
            timelines.put(partition, AuthorityTimeline.startingWith(home));
        }
    }

    AuthorityStore admin() {
        return admin;
    }

    AuthorityTimeline timeline(PartitionId partition) {
        return timelines.get(partition.value());
    }

    /**
     * Creates this test's table on every primary and installs a fresh fence at epoch 1 there (dropping any fence a
     * previous test of the same topology raised).
     */
    void prepareDatabases() throws SQLException {
        prepareDatabases(false);
    }

    /**
     * {@link #prepareDatabases()}, with the fence in privileges mode if {@code privileges} (base role
     * {@code <table>_app}; the routers log in as a superuser and write as their epoch's role once stamped).
     */
    void prepareDatabases(boolean privileges) throws SQLException {
        for (String partition : topology.partitions()) {
            try (Connection c = topology.connect(topology.primary(partition)); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + table + " (id text PRIMARY KEY, site text NOT NULL, epoch bigint)");
                if (Fence.installedVersion(c) > 0) {
                    Fence.uninstall(c);
                }
                Fence.install(c, partition, 1);
                Fence.fenceTable(c, table);
                if (privileges) {
                    s.execute("CREATE ROLE " + table + "_app NOLOGIN");
                    s.execute("GRANT ALL ON " + table + " TO " + table + "_app");
                    Fence.usePrivileges(c, table + "_app");
                }
            }
        }
    }

    /** A router of {@code site}; {@code first} (may be null) is its admission's first listener. */
    SiteRouter router(String site, boolean holdLease, AdmissionListener first) {
        CuratorFramework client = client(site + "-router", site);
        AuthorityWatcher watcher = AuthorityWatcher.start(client, config(site));
        resources.push(watcher);
        WriteAdmission admission = WriteAdmission.start(watcher);
        resources.push(admission);
        if (first != null) {
            admission.addListener(first);
        }
        SiteLease lease = null;
        if (holdLease) {
            lease = SiteLease.start(client, watcher);
            resources.push(lease);
        }
        PartitionMap map = TopologyRouting.map(topology, Map.of("alice", EU, "bob", US));
        RoutingDataSource dataSource = RoutingDataSource.create(TopologyRouting.config(topology, site).build(),
                () -> map, admission);
        resources.push(dataSource);
        return new SiteRouter(site, client, watcher, admission, lease, dataSource);
    }

    /** Registers something to close with the world (before what was made earlier). */
    <T extends AutoCloseable> T closeLater(T resource) {
        resources.push(resource);
        return resource;
    }

    /**
     * The operator's takeover path at {@code standby}: waits until its takeover check allows it, claims
     * {@code partition} ({@link AuthorityStore#takeOver}, FENCING), raises the fence of {@code databases} to the new
     * epoch, then opens it ({@link AuthorityStore#activate}). Records the new epoch in the timeline from the moment the claim began.
     */
    Takeover takeOver(SiteRouter standby, PartitionId partition, List<Endpoint> databases) throws SQLException {
        AuthorityStore store = AuthorityStore.of(standby.client(), standby.watcher().config());
        SiteId site = SiteId.of(standby.site());
        long[] claimStart = new long[1];
        Authority taken = await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!standby.watcher().takeoverCheck(partition, site).eligible()) {
                return null;
            }
            claimStart[0] = System.nanoTime();
            try {
                return store.takeOver(standby.watcher(), partition, site);
            } catch (TakeoverRefusedException e) {
                return null;
            }
        }, Objects::nonNull);
        long claimed = System.nanoTime();
        timeline(partition).add(taken.epoch(), standby.site(), claimStart[0]);
        for (Endpoint database : databases) {
            try (Connection c = topology.connect(database)) {
                Fence.bump(c, taken.epoch(), FENCE_WAIT);
            }
        }
        Authority active = store.activate(partition, taken.epoch());
        return new Takeover(active, claimStart[0], claimed, System.nanoTime());
    }

    /** Waits until eu-west admits writes of P and holds its lease, and us-east sees that lease. */
    void awaitSteadyState(SiteRouter eu, SiteRouter us) {
        await().atMost(WAIT).until(() -> eu.admission().admits(P) && eu.lease().holds(P)
                && us.watcher().snapshot().live() && us.watcher().snapshot().leases().containsKey(P));
    }

    /**
     * Checks the history of {@code partition} against its timeline and the rows of {@code finalPrimary}; prints the
     * anomalies, and the writes that were neither acknowledged nor refused, for the report.
     */
    HistoryChecker.Result check(WriteHistory history, PartitionId partition, Endpoint finalPrimary,
                                Optional<HistoryChecker.LsnRange> reportedLoss) throws SQLException {
        // Writes recorded after the read-back began cannot be judged by it: freeze the history first.
        WriteHistory frozen = history.snapshot();
        HistoryChecker.Result result = HistoryChecker.check(frozen, partition.value(), timeline(partition),
                readBack(finalPrimary), reportedLoss);
        if (!result.clean()) {
            System.out.println("ANOMALIES " + result.anomalies());
        }
        frozen.writes().stream().filter(w -> w.partition().equals(partition.value())
                        && w.outcome() != WriteHistory.Outcome.ACKNOWLEDGED && w.outcome() != WriteHistory.Outcome.REFUSED)
                .limit(10).forEach(w -> System.out.println("OUTCOME " + w.outcome() + " " + w.id() + " at "
                        + w.site() + " epoch " + w.epoch() + ": " + w.detail()));
        return result;
    }

    /** Every row of this test's table on {@code endpoint}: id → stored epoch. */
    Map<String, Long> readBack(Endpoint endpoint) throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        try (Connection c = topology.connect(endpoint); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, epoch FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2));
            }
        }
        return rows;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.out.println("close failed: " + e);
            }
        }
    }

    static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
