package dev.domicile.authority;

import static dev.domicile.authority.ZkWorld.EU_SITE;
import static dev.domicile.authority.ZkWorld.P;
import static dev.domicile.authority.ZkWorld.US_SITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.MutableClock;
import dev.domicile.testkit.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Epochs by compare-and-set, ACLs, and the refusals of the store, on a real ZooKeeper. */
class AuthorityStoreTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site(ZkWorld.EU).site(ZkWorld.US).replicasPerSite(0).redis(false));

    private ZkWorld world;

    @BeforeEach
    void world(TestInfo test) {
        world = new ZkWorld(TOPOLOGY.topology(), test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void close() {
        world.close();
    }

    @Test
    void concurrentClaimsOnTheSameEpochExactlyOneWins() throws Exception {
        AuthorityStore admin = world.admin();
        assertThat(admin.initialize(P, EU_SITE).epoch()).isEqualTo(1);
        int claimers = 8;
        List<AuthorityStore> stores = new ArrayList<>();
        for (int i = 0; i < claimers; i++) {
            CuratorFramework client = world.client("claimer-" + i, (String) null);
            stores.add(AuthorityStore.of(client, world.config(ZkWorld.US, "claimer-" + i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Authority>> results = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                AuthorityStore store = stores.get(i);
                SiteId site = i % 2 == 0 ? US_SITE : EU_SITE;
                results.add(pool.submit(() -> {
                    go.await();
                    return store.claim(P, site, 1);
                }));
            }
            go.countDown();
            List<Authority> won = new ArrayList<>();
            int conflicts = 0;
            for (Future<Authority> result : results) {
                try {
                    won.add(result.get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(AuthorityConflictException.class);
                    conflicts++;
                }
            }
            System.out.println("concurrent claims: " + won.size() + " won, " + conflicts + " conflicts");
            assertThat(won).hasSize(1);
            assertThat(conflicts).isEqualTo(claimers - 1);
            assertThat(won.get(0).epoch()).isEqualTo(2);
            assertThat(admin.read(P)).contains(won.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void epochsOnlyGrowAndStaleExpectationsAreRefused() {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        assertThat(admin.initialize(P, US_SITE).owner()).as("an existing authority stays").isEqualTo(EU_SITE);
        long previous = 1;
        for (int i = 0; i < 5; i++) {
            Authority next = admin.handOver(P, i % 2 == 0 ? US_SITE : EU_SITE, previous);
            assertThat(next.epoch()).isEqualTo(previous + 1);
            previous = next.epoch();
        }
        long current = previous;
        assertThatThrownBy(() -> admin.claim(P, US_SITE, current - 1))
                .isInstanceOf(AuthorityConflictException.class)
                .hasMessageContaining("expected epoch " + (current - 1))
                .hasMessageContaining("found epoch " + current);
        assertThatThrownBy(() -> admin.handOver(P, admin.read(P).orElseThrow().owner(), current))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already owned");
        assertThatThrownBy(() -> admin.claim(P, SiteId.of("ap-south"), current))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a known site");
        assertThat(admin.read(P).orElseThrow().epoch()).isEqualTo(current);
    }

    @Test
    void nodesAreReadableButNotWritableWithoutCredentials() throws Exception {
        world.admin().initialize(P, EU_SITE);
        String path = world.root + "/partitions/" + P;
        CuratorFramework anonymous = world.client("anonymous", CuratorFrameworkFactory.builder()
                .connectString(TOPOLOGY.topology().zooKeeperConnectString()).retryPolicy(new RetryOneTime(100))
                .sessionTimeoutMs(5000).connectionTimeoutMs(2000));
        assertThat(new String(anonymous.getData().forPath(path), StandardCharsets.UTF_8)).contains("\"epoch\":1");
        assertThatThrownBy(() -> anonymous.setData().forPath(path, "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.delete().forPath(path)).isInstanceOf(KeeperException.NoAuthException.class);
        AuthorityStore store = AuthorityStore.of(anonymous, world.config(ZkWorld.US, "anonymous"));
        assertThatThrownBy(() -> store.claim(P, US_SITE, 1))
                .isInstanceOf(AuthorityStoreException.class).hasMessageContaining("credentials");
    }

    @Test
    void aMalformedNodeIsNeverOverwrittenBlindly() throws Exception {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        CuratorFramework raw = world.client("raw", (String) null);
        raw.setData().forPath(world.root + "/partitions/" + P, "garbage".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> admin.claim(P, US_SITE, 1))
                .isInstanceOf(AuthorityStoreException.class).hasMessageContaining("refusing to use");
    }

    @Test
    void takeoverIsRefusedWhileTheOwnersLeaseIsHeld() {
        world.admin().initialize(P, EU_SITE);
        ZkWorld.Router eu = world.router(ZkWorld.EU, "eu-1");
        ZkWorld.Router us = world.router(ZkWorld.US, "us-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> eu.lease().held().contains(P)
                && us.watcher().snapshot().leases().containsKey(P));
        AuthorityStore store = AuthorityStore.of(us.client(), us.watcher().config());
        assertThatThrownBy(() -> store.takeOver(us.watcher(), P, US_SITE))
                .isInstanceOf(TakeoverRefusedException.class).hasMessageContaining("lease is held by eu-west/eu-1");
        assertThat(us.watcher().takeoverCheck(P, EU_SITE).reason()).contains("already owns");
        assertThat(eu.lease().holds(P)).isTrue();
        assertThat(us.lease().holds(P)).isFalse();
    }

    @Test
    void aStandbyMayTakeOverOnlyOnceTheMarginHasPassedSinceTheLeaseWentAway() {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ZkWorld.Router us = world.router(ZkWorld.US, "us-1", clock);
        await().atMost(Duration.ofSeconds(20)).until(us::live);
        // No router of eu-west ever held the lease: absent since the watcher went live, at the clock's time.
        TakeoverCheck early = us.watcher().takeoverCheck(P, US_SITE);
        assertThat(early.eligible()).isFalse();
        assertThat(early.eligibleAt()).contains(clock.instant().plus(ZkWorld.MARGIN));
        clock.advance(ZkWorld.MARGIN.minusMillis(1));
        AuthorityStore store = AuthorityStore.of(us.client(), us.watcher().config(), clock);
        assertThatThrownBy(() -> store.takeOver(us.watcher(), P, US_SITE))
                .isInstanceOf(TakeoverRefusedException.class).hasMessageContaining("safety margin");
        clock.advance(Duration.ofMillis(1));
        assertThat(us.watcher().takeoverCheck(P, US_SITE).eligible()).isTrue();
        assertThat(us.watcher().takeoverCheck(P, SiteId.of(ZkWorld.EU)).eligible()).as("the owner itself").isFalse();
        Authority taken = store.takeOver(us.watcher(), P, US_SITE);
        assertThat(taken.epoch()).isEqualTo(2);
        assertThat(taken.since()).isEqualTo(clock.instant());
        assertThat(taken.reason()).startsWith("takeover by us-east");
        assertThatThrownBy(() -> store.takeOver(us.watcher(), P, US_SITE)).as("a second takeover of the same epoch")
                .isInstanceOfAny(AuthorityConflictException.class, TakeoverRefusedException.class);
    }
}
