package dev.domicile.authority;

import static dev.domicile.authority.ZkWorld.EU_SITE;
import static dev.domicile.authority.ZkWorld.P;
import static dev.domicile.authority.ZkWorld.US_SITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every router sees every authority; bad nodes are kept out; leases are ours only by session. Real ZooKeeper. */
class AuthorityWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

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
    void changesReachEveryRouter() {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        List<ZkWorld.Router> routers = List.of(world.router(ZkWorld.EU, "eu-1"), world.router(ZkWorld.EU, "eu-2"),
                world.router(ZkWorld.US, "us-1"), world.router(ZkWorld.US, "us-2"));
        List<Authority> seen = new CopyOnWriteArrayList<>();
        routers.forEach(r -> r.watcher().addListener(new AuthorityListener() {
            @Override
            public void onChange(Authority previous, Authority current) {
                seen.add(current);
            }
        }));
        await().atMost(WAIT).until(() -> routers.stream().allMatch(r -> r.live()
                && r.watcher().authority(P).map(Authority::epoch).orElse(0L) == 1));
        long start = System.nanoTime();
        Authority moved = admin.handOver(P, US_SITE, 1);
        assertThat(moved.phase()).isEqualTo(Authority.Phase.FENCING);
        await().atMost(WAIT).until(() -> routers.stream().allMatch(r -> r.watcher().authority(P).orElseThrow()
                .equals(moved)));
        System.out.printf("hand-over seen by %d routers within %d ms%n", routers.size(),
                (System.nanoTime() - start) / 1_000_000);
        assertThat(seen).filteredOn(a -> a.epoch() == 2).hasSize(routers.size());
        // FENCING: nobody admits epoch 2 yet, not even the new owner, and the refusal says why.
        for (ZkWorld.Router router : routers) {
            assertThatThrownBy(() -> router.admission().admit(P))
                    .isInstanceOfSatisfying(NotAuthoritativeException.class, e -> {
                        assertThat(e.hint()).isEqualTo(RetryHint.FENCING_IN_PROGRESS);
                        assertThat(e.lastKnownEpoch()).isEqualTo(2);
                        assertThat(e).hasMessageContaining("fencing in progress");
                    });
        }
        Authority active = admin.activate(P, 2);
        assertThat(active.phase()).isEqualTo(Authority.Phase.ACTIVE);
        assertThat(admin.activate(P, 2)).as("activating again changes nothing").isEqualTo(active);
        await().atMost(WAIT).until(() -> routers.get(2).admission().admits(P)
                && !routers.get(0).admission().admits(P));
        assertThatThrownBy(() -> routers.get(1).admission().admit(P))
                .isInstanceOfSatisfying(NotAuthoritativeException.class, e -> {
                    assertThat(e.hint()).isEqualTo(RetryHint.FORWARD_TO_OWNER);
                    assertThat(e.lastKnownOwner()).contains(US_SITE);
                });
        assertThat(routers.get(3).admission().admit(P).epoch()).isEqualTo(2);
    }

    @Test
    void malformedForeignAndBackwardNodesAreKeptOutAndTheLastGoodStays() throws Exception {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        admin.handOver(P, US_SITE, 1);
        admin.handOver(P, EU_SITE, 2);
        Authority good = admin.activate(P, 3);
        ZkWorld.Router router = world.router(ZkWorld.EU, "eu-1");
        List<AuthorityRejection> rejections = new CopyOnWriteArrayList<>();
        router.watcher().addListener(new AuthorityListener() {
            @Override
            public void onRejected(AuthorityRejection rejection) {
                rejections.add(rejection);
            }
        });
        await().atMost(WAIT).until(() -> router.admission().admits(P));
        CuratorFramework raw = world.client("raw", (String) null);
        String path = world.root + "/partitions/" + P;
        List<String> bad = List.of(
                "not json at all",
                "{\"format\":\"someone-else/2\",\"owner\":\"us-east\"}",
                AuthorityDocumentTest.doc("us-east", "us-east", "9"),
                AuthorityDocumentTest.doc("eu-west", "ap-south", "9"),
                AuthorityDocumentTest.doc("eu-west", "us-east", "2"),
                AuthorityDocumentTest.doc("eu-west", "us-east", "3"),
                AuthorityDocumentTest.doc("eu-west", "eu-west", "3", "\"HALF\""),
                AuthorityDocumentTest.doc("eu-west", "eu-west", "3", "\"FENCING\""));
        List<String> problems = new ArrayList<>();
        for (String document : bad) {
            int before = rejections.size();
            raw.setData().forPath(path, document.getBytes(StandardCharsets.UTF_8));
            await().atMost(WAIT).until(() -> rejections.size() > before);
            AuthorityRejection last = rejections.get(rejections.size() - 1);
            problems.add(last.problem());
            assertThat(last.kept()).contains(good);
            assertThat(router.watcher().authority(P)).contains(good);
            assertThat(router.admission().admit(P).epoch()).isEqualTo(3);
        }
        System.out.println("rejections: " + problems);
        assertThat(problems).anyMatch(p -> p.contains("not JSON")).anyMatch(p -> p.contains("foreign"))
                .anyMatch(p -> p.contains("names partition us-east")).anyMatch(p -> p.contains("not a known site"))
                .anyMatch(p -> p.contains("went backwards from 3 to 2"))
                .anyMatch(p -> p.contains("already belongs to eu-west"))
                .anyMatch(p -> p.contains("phase must be")).anyMatch(p -> p.contains("from ACTIVE to FENCING"));
        assertThat(router.watcher().lastRejection()).isPresent();
        raw.setData().forPath(path, AuthorityDocumentTest.doc("eu-west", "us-east", "4")
                .getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> router.watcher().authority(P).orElseThrow().epoch() == 4);
        assertThat(router.admission().admits(P)).as("moved to us-east").isFalse();
        // A document written before phases existed (no "phase") is ACTIVE: its owner admits writes at once.
        raw.setData().forPath(path, AuthorityDocumentTest.doc("eu-west", "eu-west", "5")
                .getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> router.admission().admits(P));
        assertThat(router.admission().admit(P).epoch()).isEqualTo(5);
    }

    /**
     * The CURATOR-696 case without timing: a lease node whose data names eu-1 but which another session owns (as a
     * node left by eu-1's own expired session is) is never taken for eu-1's lease; once it goes, a router takes it.
     */
    @Test
    void aLeaseNodeNamingUsButOwnedByAnotherSessionIsNotOurs() throws Exception {
        world.admin().initialize(P, EU_SITE);
        String leasePath = world.root + "/leases/" + P;
        CuratorFramework impostor = world.client("impostor", (String) null);
        impostor.create().creatingParentContainersIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                .withACL(List.of(new org.apache.zookeeper.data.ACL(31, // all permissions, for the creator's identity
                        new org.apache.zookeeper.data.Id("auth", ""))))
                .forPath(leasePath, "eu-west/eu-1".getBytes(StandardCharsets.UTF_8));
        ZkWorld.Router eu1 = world.router(ZkWorld.EU, "eu-1");
        await().atMost(WAIT).until(() -> eu1.live() && eu1.watcher().snapshot().leases().containsKey(P));
        AtomicInteger checks = new AtomicInteger();
        await().during(Duration.ofSeconds(2)).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            checks.incrementAndGet();
            return !eu1.lease().holds(P) && !eu1.lease().held().contains(P);
        });
        assertThat(checks.get()).isPositive();
        world.expectLoss(impostor);
        impostor.close();
        await().atMost(WAIT).until(() -> eu1.lease().holds(P));
        assertThat(world.client("raw", (String) null).checkExists().forPath(leasePath).getEphemeralOwner())
                .isEqualTo(eu1.client().getZookeeperClient().getZooKeeper().getSessionId());
    }

    @Test
    @org.junit.jupiter.api.Disabled("timing-dependent in full-module runs (the old session's node is sometimes gone"
            + " between two reads; not understood yet); aLeaseNodeNamingUsButOwnedByAnotherSessionIsNotOurs tests the"
            + " same property deterministically")
    void aLeaseLeftByOurExpiredSessionIsNotOurs() throws Exception {
        world.admin().initialize(P, EU_SITE);
        // A long session, so that the server keeps the old session's node well past the reconnection even when a
        // loaded machine makes the reconnection slow.
        ZkWorld.Router eu1 = world.router(ZkWorld.EU, "eu-1", java.time.Clock.systemUTC(), Duration.ofSeconds(15));
        await().atMost(WAIT).until(() -> eu1.lease().held().contains(P));
        ZkWorld.Router eu2 = world.router(ZkWorld.EU, "eu-2");
        await().atMost(WAIT).until(() -> eu2.live() && eu2.watcher().snapshot().leases().containsKey(P));
        assertThat(eu1.lease().holds(P)).isTrue();
        assertThat(eu2.lease().holds(P)).as("another router's lease").isFalse();
        assertThat(eu2.lease().held()).isEmpty();

        String leasePath = world.root + "/leases/" + P;
        CuratorFramework raw = world.client("raw", (String) null);
        long oldSession = raw.checkExists().forPath(leasePath).getEphemeralOwner();
        world.expectLoss(eu1.client());
        world.topology.expireZkSession(eu1.client());
        await().atMost(WAIT).until(() -> eu1.live() && eu1.client().getZookeeperClient().getZooKeeper()
                .getSessionId() != oldSession);
        // The injected expiry is client-side: the server keeps the old session, and its node, until it times out.
        // Its data still names eu-west/eu-1, but it is not eu-1's any more.
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger believed = new AtomicInteger();
        await().atMost(WAIT.plusSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Stat stat = raw.checkExists().forPath(leasePath);
            if (stat == null || stat.getEphemeralOwner() != oldSession) {
                return true;
            }
            if (eu1.lease().holds(P) || eu1.lease().held().contains(P)) {
                believed.incrementAndGet();
            }
            assertThat(new String(raw.getData().forPath(leasePath), StandardCharsets.UTF_8))
                    .isEqualTo("eu-west/eu-1");
            checks.incrementAndGet();
            return false;
        });
        assertThat(believed.get()).as("times eu-1 believed the old session's node was its lease").isZero();
        // The case under test needs the old node to outlive the reconnection; in full-suite runs it was once gone
        // at the first look (not understood yet), which says nothing either way: skip rather than pass.
        org.junit.jupiter.api.Assumptions.assumeTrue(checks.get() > 0,
                "the old session's node was gone before the first check; the case was not exercised");
        System.out.println("the old session's lease node was refused " + checks + " times before it expired");
        await().atMost(WAIT.plusSeconds(15)).until(() -> eu1.lease().held().contains(P)
                ^ eu2.lease().held().contains(P));
        assertThat(eu1.lease().holds(P) ^ eu2.lease().holds(P)).as("exactly one router holds it").isTrue();
        assertThat(raw.checkExists().forPath(leasePath).getEphemeralOwner()).isNotEqualTo(oldSession);
    }
}
