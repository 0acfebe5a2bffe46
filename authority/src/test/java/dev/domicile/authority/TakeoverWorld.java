package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;

/**
 * One test's authority world for automatic failover, switchover and divergence tests, over any number of sites of a
 * real topology: a fresh root, routers and failover coordinators per site (each with its own ZooKeeper client through
 * its site's link), event recorders, and a count of session losses the test did not inject. Partition
 * {@link #P} (eu-west's home) fails over in the order the world is given. Closes everything it made, in reverse.
 */
final class TakeoverWorld implements AutoCloseable {

    static final PartitionId P = PartitionId.of("eu-west");
    static final Duration SESSION = Duration.ofSeconds(5);
    static final Duration MARGIN = Duration.ofSeconds(1);
    static final Duration CHECK = Duration.ofMillis(200);
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static final byte[] CREDENTIALS = "domicile:router-secret".getBytes(StandardCharsets.UTF_8);

    final Topology topology;
    final String root;
    private final List<String> order;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Set<CuratorFramework> lossExpected = ConcurrentHashMap.newKeySet();
    private final AtomicInteger uninjectedLosses = new AtomicInteger();

    /** @param order P's failover order, its home first; also every known site */
    TakeoverWorld(Topology topology, String name, String... order) {
        this.topology = topology;
        this.order = List.of(order);
        this.root = "/domicile/takeover" + ROOTS.incrementAndGet() + "-" + name;
    }

    AuthorityConfig config(String site, String routerId) {
        return AuthorityConfig.builder().rootPath(root).localSite(site).routerId(routerId)
                .sites(order.toArray(String[]::new)).failoverOrder(P.value(), order.toArray(String[]::new))
                .sessionTimeout(SESSION).connectionTimeout(Duration.ofSeconds(2)).safetyMargin(MARGIN).build();
    }

    private CuratorFramework client(String name, String viaSite, AuthorityConfig config) {
        String connect = viaSite == null ? topology.zooKeeperConnectString() : topology.zooKeeperConnectString(viaSite);
        CuratorFramework client = config.curatorBuilder(connect).authorization("digest", CREDENTIALS).build();
        resources.push(client);
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST && !lossExpected.contains(c)) {
                uninjectedLosses.incrementAndGet();
                System.out.println("UNINJECTED session loss of " + name + " in " + root);
            }
        });
        client.start();
        try {
            if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not connect to ZooKeeper within 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return client;
    }

    /** An authority store on a client that bypasses every link (the operator's). */
    AuthorityStore admin() {
        AuthorityConfig config = config(order.get(0), "admin");
        return AuthorityStore.of(client("admin", null, config), config);
    }

    /** A router of {@code site}: client through the site's ZooKeeper link, watcher, admission and lease. */
    Router router(String site, String routerId) {
        AuthorityConfig config = config(site, routerId);
        CuratorFramework client = client(site + "/" + routerId, site, config);
        AuthorityWatcher watcher = AuthorityWatcher.start(client, config);
        resources.push(watcher);
        WriteAdmission admission = WriteAdmission.start(watcher);
        resources.push(admission);
        SiteLease lease = SiteLease.start(client, watcher);
        resources.push(lease);
        return new Router(site, client, watcher, admission, lease, AuthorityStore.of(client, config));
    }

    /**
     * A watcher of {@code site} alone (no admission, no lease, no coordinator) on a client that bypasses every link:
     * an observer of what a standby's watcher sees.
     */
    AuthorityWatcher observer(String site) {
        AuthorityConfig config = config(site, "observer");
        AuthorityWatcher watcher = AuthorityWatcher.start(client(site + "/observer", null, config), config);
        resources.push(watcher);
        return watcher;
    }

    /** A failover coordinator beside {@code router}, recording its events. */
    Events coordinator(Router router, FailoverPlan plan) {
        Events events = new Events(router.site() + "/" + router.watcher().config().routerId());
        resources.push(FailoverCoordinator.start(router.client(), router.store(), router.watcher(), List.of(plan),
                CHECK, Clock.systemUTC(), events));
        return events;
    }

    /** Marks session losses of {@code client} as injected by the test. */
    void expectLoss(CuratorFramework client) {
        lossExpected.add(client);
    }

    int uninjectedLosses() {
        return uninjectedLosses.get();
    }

    /** A database reached directly. */
    static Failover.Database direct(Topology topology, Endpoint endpoint) {
        return new Failover.Database(endpoint.name(), () -> topology.connect(endpoint));
    }

    /** A database reached from {@code site} through its link, giving up on silence within a few seconds. */
    static Failover.Database viaLink(Topology topology, String site, Endpoint endpoint) {
        String url = topology.jdbcUrl(site, endpoint) + "&connectTimeout=3&loginTimeout=3&socketTimeout=10";
        return new Failover.Database(endpoint.name(), () -> DriverManager.getConnection(url));
    }

    /**
     * Creates the fenced table {@code ledger} on {@code primary} at epoch 1, and installs {@code pg_walinspect} there
     * (replicated), so that divergence is counted in commits.
     */
    static void prepareLedger(Topology topology, Endpoint primary) throws SQLException {
        prepareLedger(topology, primary, false);
    }

    /**
     * {@link #prepareLedger(Topology, Endpoint)}, with the fence in privileges mode if {@code privileges} (base role
     * {@code ledger_app}; the writers, superusers, write as the epoch's role once stamped).
     */
    static void prepareLedger(Topology topology, Endpoint primary, boolean privileges) throws SQLException {
        try (Connection c = topology.connect(primary); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
            s.execute("CREATE TABLE ledger (id bigserial PRIMARY KEY, writer int, amount int)");
            Fence.install(c, P.value(), 1);
            Fence.fenceTable(c, "ledger");
            if (privileges) {
                s.execute("CREATE ROLE ledger_app NOLOGIN");
                s.execute("GRANT ALL ON ledger, ledger_id_seq TO ledger_app");
                Fence.usePrivileges(c, "ledger_app");
            }
        }
    }

    /** The ids in {@code ledger} on {@code endpoint}. */
    static Set<Long> ids(Topology topology, Endpoint endpoint) throws SQLException {
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        try (Connection c = topology.connect(endpoint); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM ledger")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    @Override
    public void close() {
        System.out.println("[" + root + "] uninjected session losses: " + uninjectedLosses.get());
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.out.println("close failed: " + e);
            }
        }
    }

    record Router(String site, CuratorFramework client, AuthorityWatcher watcher, WriteAdmission admission,
            SiteLease lease, AuthorityStore store) {

        SiteId siteId() {
            return SiteId.of(site);
        }
    }

    /** The events of one coordinator, in order. */
    static final class Events implements FailoverListener {

        final String name;
        final List<FailoverEvent> all = new CopyOnWriteArrayList<>();

        Events(String name) {
            this.name = name;
        }

        @Override
        public void onEvent(FailoverEvent event) {
            System.out.println("EVENT " + name + ": " + event);
            all.add(event);
        }

        <E extends FailoverEvent> List<E> of(Class<E> type) {
            List<E> result = new ArrayList<>();
            for (FailoverEvent event : all) {
                if (type.isInstance(event)) {
                    result.add(type.cast(event));
                }
            }
            return result;
        }
    }
}
