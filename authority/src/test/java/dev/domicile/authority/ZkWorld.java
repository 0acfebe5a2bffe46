package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;

/**
 * One test's world on the topology's real ZooKeeper: a fresh authority root, routers of two sites, and a count of
 * session losses, so that a loss the test did not inject is reported. Closes everything it made, in reverse order.
 */
final class ZkWorld implements AutoCloseable {

    static final String EU = "eu-west";
    static final String US = "us-east";
    static final PartitionId P = PartitionId.of(EU);
    static final SiteId EU_SITE = SiteId.of(EU);
    static final SiteId US_SITE = SiteId.of(US);
    static final Duration SESSION = Duration.ofSeconds(5);
    static final Duration MARGIN = Duration.ofSeconds(1);
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static final byte[] CREDENTIALS = "domicile:router-secret".getBytes(StandardCharsets.UTF_8);

    final Topology topology;
    final String root;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Set<CuratorFramework> lossExpected = ConcurrentHashMap.newKeySet();
    private final AtomicInteger uninjectedLosses = new AtomicInteger();
    private volatile boolean allExpected;

    ZkWorld(Topology topology, String name) {
        this.topology = topology;
        this.root = "/domicile/t" + ROOTS.incrementAndGet() + "-" + name;
    }

    AuthorityConfig config(String site, String routerId) {
        return config(site, routerId, SESSION);
    }

    AuthorityConfig config(String site, String routerId, Duration session) {
        return AuthorityConfig.builder().rootPath(root).localSite(site).routerId(routerId).sites(EU, US)
                .failoverOrder(EU, EU, US).failoverOrder(US, US, EU)
                .sessionTimeout(session).connectionTimeout(Duration.ofSeconds(2)).safetyMargin(MARGIN).build();
    }

    /** A started, connected client with the routers' credentials; {@code viaSite} routes it through that link. */
    CuratorFramework client(String name, String viaSite) {
        String connect = viaSite == null ? topology.zooKeeperConnectString() : topology.zooKeeperConnectString(viaSite);
        return client(name, config(EU, "admin").curatorBuilder(connect).authorization("digest", CREDENTIALS));
    }

    CuratorFramework client(String name, org.apache.curator.framework.CuratorFrameworkFactory.Builder builder) {
        CuratorFramework client = builder.build();
        resources.push(client);
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST && !allExpected && !lossExpected.contains(c)) {
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

    /** Marks session losses of {@code client} as injected by the test. */
    void expectLoss(CuratorFramework client) {
        lossExpected.add(client);
    }

    /** Marks session losses of every client made so far as injected (e.g. ZooKeeper itself is stopped). */
    void expectLossOfAll() {
        allExpected = true;
    }

    int uninjectedLosses() {
        return uninjectedLosses.get();
    }

    AuthorityStore admin() {
        return AuthorityStore.of(client("admin", (String) null), config(EU, "admin"));
    }

    /** A router of {@code site}: its own client (through the site's ZooKeeper link), watcher, admission and lease. */
    Router router(String site, String routerId) {
        return router(site, routerId, java.time.Clock.systemUTC());
    }

    /** A router whose watcher reads time from {@code clock}. */
    Router router(String site, String routerId, java.time.Clock clock) {
        return router(site, routerId, clock, SESSION);
    }

    /** A router with its own ZooKeeper session timeout. */
    Router router(String site, String routerId, java.time.Clock clock, Duration session) {
        AuthorityConfig config = config(site, routerId, session);
        String connect = topology.zooKeeperConnectString(site);
        CuratorFramework client = client(site + "/" + routerId,
                config.curatorBuilder(connect).authorization("digest", CREDENTIALS));
        AuthorityWatcher watcher = AuthorityWatcher.start(client, config, clock);
        resources.push(watcher);
        WriteAdmission admission = WriteAdmission.start(watcher);
        resources.push(admission);
        SiteLease lease = SiteLease.start(client, watcher);
        resources.push(lease);
        return new Router(site, client, watcher, admission, lease);
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
            SiteLease lease) {

        boolean live() {
            return watcher.snapshot().live();
        }
    }
}
