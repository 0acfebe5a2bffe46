package dev.domicile.authority;

import static dev.domicile.authority.ZkWorld.EU;
import static dev.domicile.authority.ZkWorld.EU_SITE;
import static dev.domicile.authority.ZkWorld.P;
import static dev.domicile.authority.ZkWorld.US;
import static dev.domicile.authority.ZkWorld.US_SITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.PartitionId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Write admission under injected faults on real servers: a cut ZooKeeper link, an expired session, a short stall
 * and the loss of ZooKeeper itself. Session timeout 5 s, safety margin 1 s. Figures are printed.
 */
class WriteAdmissionFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final PartitionId Q = PartitionId.of(US);

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site(EU).site(US).replicasPerSite(0).redis(false));

    private ZkWorld world;
    private Topology topology;

    @BeforeEach
    void world(TestInfo test) {
        topology = TOPOLOGY.topology();
        world = new ZkWorld(topology, test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void close() {
        topology.zooKeeperLink(EU).heal();
        world.close();
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    @Test
    void cutOwnerStopsAtOnceAndTheStandbyTakesOverOnlyAfterExpiryAndMargin() throws Exception {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        ZkWorld.Router eu = world.router(EU, "eu-1");
        ZkWorld.Router us = world.router(US, "us-1");
        AuthorityStore usStore = AuthorityStore.of(us.client(), us.watcher().config());
        await().atMost(WAIT).until(() -> eu.admission().admits(P) && eu.lease().held().contains(P)
                && us.live() && us.watcher().snapshot().leases().containsKey(P));
        long sessionMillis = eu.client().getZookeeperClient().getZooKeeper().getSessionTimeout();
        AtomicLong suspendedAt = new AtomicLong();
        eu.client().getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.SUSPENDED) {
                suspendedAt.compareAndSet(0, System.nanoTime());
            }
        });
        AtomicLong leaseGoneAt = new AtomicLong();
        us.watcher().addListener(new AuthorityListener() {
            @Override
            public void onSnapshot(AuthoritySnapshot previous, AuthoritySnapshot current) {
                if (current.live() && !current.leases().containsKey(P)) {
                    leaseGoneAt.compareAndSet(0, System.nanoTime());
                }
            }
        });
        world.expectLoss(eu.client());
        Authority taken;
        long cut;
        long stop;
        try (AdmissionProbe euProbe = new AdmissionProbe(eu.admission(), P)) {
            await().atMost(WAIT).until(() -> !euProbe.admitted.isEmpty());
            cut = System.nanoTime();
            topology.zooKeeperLink(EU).blackhole();
            assertThatThrownBy(() -> usStore.takeOver(us.watcher(), P, US_SITE))
                    .isInstanceOf(TakeoverRefusedException.class).hasMessageContaining("lease is held");

            await().atMost(WAIT).until(() -> !euProbe.events.isEmpty());
            stop = euProbe.firstStop();
            System.out.printf("FIGURE admission stop after the cut: %d ms (session timeout %d ms, 2/3 = %d ms)%n",
                    millis(stop - cut), sessionMillis, sessionMillis * 2 / 3);
            assertThat(millis(stop - cut)).as("stop latency").isLessThanOrEqualTo(sessionMillis * 2 / 3);
            assertThatThrownBy(() -> eu.admission().admit(P)).isInstanceOf(NotAuthoritativeException.class)
                    .extracting(e -> ((NotAuthoritativeException) e).hint()).isEqualTo(RetryHint.RETRY_LATER);

            taken = await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                try {
                    return usStore.takeOver(us.watcher(), P, US_SITE);
                } catch (TakeoverRefusedException e) {
                    return null;
                }
            }, Objects::nonNull);
            long claimed = System.nanoTime();
            assertThat(leaseGoneAt.get()).as("lease gone before the takeover").isPositive();
            System.out.printf("FIGURE eu-west lease node gone %d ms after the cut; takeover claimed %d ms after that"
                    + " (margin %d ms)%n", millis(leaseGoneAt.get() - cut), millis(claimed - leaseGoneAt.get()),
                    ZkWorld.MARGIN.toMillis());
            assertThat(millis(claimed - leaseGoneAt.get())).isGreaterThanOrEqualTo(ZkWorld.MARGIN.toMillis() - 50);
            assertThat(taken.owner()).isEqualTo(US_SITE);
            assertThat(taken.epoch()).isEqualTo(2);
            assertThat(taken.phase()).isEqualTo(Authority.Phase.FENCING);
            await().atMost(WAIT).until(() -> us.watcher().authority(P).orElseThrow().equals(taken));
            assertThatThrownBy(() -> us.admission().admit(P)).as("the taker before its fence is raised")
                    .isInstanceOf(NotAuthoritativeException.class).extracting(e -> ((NotAuthoritativeException) e)
                            .hint()).isEqualTo(RetryHint.FENCING_IN_PROGRESS);
            usStore.activate(P, 2);
            await().atMost(WAIT).until(() -> us.admission().admits(P));
            long firstWriteAtB = System.nanoTime();
            assertThat(us.admission().admit(P).epoch()).isEqualTo(2);
            System.out.printf("FIGURE cut -> first write admitted at us-east: %d ms (session %d ms + margin %d ms)%n",
                    millis(firstWriteAtB - cut), sessionMillis, ZkWorld.MARGIN.toMillis());

            assertThat(suspendedAt.get()).as("eu-west saw SUSPENDED").isPositive();
            assertThat(euProbe.admittedSince(stop)).as("admissions at eu-west after it stopped").isEmpty();
            assertThat(euProbe.admittedSince(suspendedAt.get())).as("admissions at eu-west while suspended")
                    .isEmpty();

            topology.zooKeeperLink(EU).heal();
            await().atMost(WAIT).until(() -> eu.live() && eu.watcher().authority(P).orElseThrow().epoch() == 2);
            assertThatThrownBy(() -> eu.admission().admit(P)).isInstanceOfSatisfying(NotAuthoritativeException.class,
                    e -> {
                        assertThat(e.hint()).isEqualTo(RetryHint.FORWARD_TO_OWNER);
                        assertThat(e.lastKnownOwner()).contains(US_SITE);
                        assertThat(e.lastKnownEpoch()).isEqualTo(2);
                    });
            await().atMost(WAIT).until(() -> us.lease().held().contains(P));
            assertThat(eu.lease().holds(P)).isFalse();
            assertThat(euProbe.admittedSince(stop)).as("admissions at eu-west after it returned").isEmpty();
        }
        assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
    }

    @Test
    void afterAnExpiredSessionAdmissionResumesOnlyWithTheReReadAuthority() throws Exception {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        ZkWorld.Router eu = world.router(EU, "eu-1");
        await().atMost(WAIT).until(() -> eu.admission().admits(P));
        world.expectLoss(eu.client());
        try (AdmissionProbe probe = new AdmissionProbe(eu.admission(), P)) {
            await().atMost(WAIT).until(() -> !probe.admitted.isEmpty());
            topology.zooKeeperLink(EU).blackhole();
            long injected = System.nanoTime();
            topology.expireZkSession(eu.client());
            await().atMost(WAIT).until(() -> !probe.events.isEmpty());
            long stop = probe.firstStop();
            System.out.printf("FIGURE admission stop after injected expiry: %d ms%n", millis(stop - injected));
            assertThat(eu.live()).isFalse();

            // While eu-west cannot reach ZooKeeper, authority moves away and back: epoch 1 -> 3.
            admin.handOver(P, US_SITE, 1);
            admin.handOver(P, EU_SITE, 2);
            Authority back = admin.activate(P, 3);
            topology.zooKeeperLink(EU).heal();

            await().atMost(WAIT).until(() -> eu.admission().admits(P));
            assertThat(eu.admission().admit(P).epoch()).isEqualTo(back.epoch()).isEqualTo(3);
            assertThat(probe.admittedSince(stop)).as("admissions after the expiry").isNotEmpty()
                    .allSatisfy(a -> assertThat(a.epoch()).as("epoch admitted after the expiry").isEqualTo(3));
            assertThat(probe.events).filteredOn(e -> e.what().equals("resumed")).extracting(e -> e.epoch())
                    .containsExactly(3L);
        }
        assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
    }

    @Test
    void aStallShorterThanTheSessionTimeoutCausesNoTakeover() throws Exception {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        ZkWorld.Router eu = world.router(EU, "eu-1");
        ZkWorld.Router us = world.router(US, "us-1");
        await().atMost(WAIT).until(() -> eu.admission().admits(P) && us.live()
                && us.watcher().snapshot().leases().containsKey(P));
        long leaseSession = us.watcher().snapshot().leases().get(P).sessionId();
        topology.zooKeeperLink(EU).blackhole();
        long stall = System.nanoTime();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                !us.watcher().takeoverCheck(P, US_SITE).eligible()
                        && us.watcher().snapshot().leases().containsKey(P));
        topology.zooKeeperLink(EU).heal();
        System.out.printf("FIGURE stall of %d ms: no takeover%n", millis(System.nanoTime() - stall));
        await().atMost(WAIT).until(() -> eu.admission().admits(P));
        assertThat(eu.admission().admit(P).epoch()).isEqualTo(1);
        assertThat(admin.read(P).orElseThrow().epoch()).as("spurious takeovers").isEqualTo(1);
        assertThat(us.watcher().snapshot().leases().get(P).sessionId()).as("the same session holds the lease")
                .isEqualTo(leaseSession);
        assertThat(us.watcher().takeoverCheck(P, US_SITE).eligible()).isFalse();
        assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
    }

    @Test
    void withoutZooKeeperNobodyAdmitsAndAdmissionReturnsWithIt() throws Exception {
        AuthorityStore admin = world.admin();
        admin.initialize(P, EU_SITE);
        admin.initialize(Q, US_SITE);
        ZkWorld.Router eu = world.router(EU, "eu-1");
        ZkWorld.Router us = world.router(US, "us-1");
        await().atMost(WAIT).until(() -> eu.admission().admits(P) && us.admission().admits(Q));
        world.expectLossOfAll();
        long stopped = System.nanoTime();
        topology.stopZooKeeper(0);
        try {
            await().atMost(WAIT).until(() -> !eu.admission().admits(P) && !us.admission().admits(Q));
            System.out.printf("FIGURE ZooKeeper stopped: no admission anywhere after %d ms%n",
                    millis(System.nanoTime() - stopped));
            assertThat(us.watcher().takeoverCheck(P, US_SITE).eligible()).isFalse();
            assertThat(eu.watcher().takeoverCheck(Q, EU_SITE).eligible()).isFalse();
            assertThatThrownBy(() -> us.admission().admit(Q)).isInstanceOfSatisfying(NotAuthoritativeException.class,
                    e -> assertThat(e.hint()).isEqualTo(RetryHint.RETRY_LATER));
        } finally {
            topology.startZooKeeper(0);
        }
        long restarted = System.nanoTime();
        await().atMost(WAIT).until(() -> eu.admission().admits(P) && us.admission().admits(Q));
        System.out.printf("FIGURE ZooKeeper restarted: admission back after %d ms%n",
                millis(System.nanoTime() - restarted));
        assertThat(eu.admission().admit(P).epoch()).isEqualTo(1);
        assertThat(us.admission().admit(Q).epoch()).isEqualTo(1);
        assertThatThrownBy(() -> us.admission().admit(P)).isInstanceOfSatisfying(NotAuthoritativeException.class,
                e -> assertThat(e.hint()).isEqualTo(RetryHint.FORWARD_TO_OWNER));
    }
}
