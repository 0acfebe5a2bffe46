package dev.domicile.authority;

import static dev.domicile.authority.TakeoverWorld.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The two-phase publication of a new epoch, on real servers: a claimed epoch is FENCING, and nobody — the new owner
 * included — admits a write of the partition until the new owner's database fence is raised and the epoch is
 * published ACTIVE. Without it, a writer of the new epoch and a stalled writer of the old one could both commit on the
 * same database (a takeover without promotion). Each test starts its own topology.
 */
class FencingPhaseTest {

    private static final String EU = "eu-west";
    private static final String US = "us-east";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aNewOwnerAdmitsNoWriteWhileItsFenceBumpWaitsForAStalledWriterOfTheOldEpoch() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0).redis(false)
                .start();
             TakeoverWorld world = new TakeoverWorld(topology, "fencing-phase", EU, US)) {
            Endpoint primary = topology.primary(EU);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            await().atMost(WAIT).until(() -> eu.admission().admits(P) && eu.lease().holds(P));
            TakeoverWorld.prepareLedger(topology, primary);
            List<Long> usResumedAt = new CopyOnWriteArrayList<>();
            us.admission().addListener(new AdmissionListener() {
                @Override
                public void onResumed(Admission admission) {
                    usResumedAt.add(System.nanoTime());
                }
            });
            ExecutorService bumper = Executors.newSingleThreadExecutor();
            Link euZooKeeper = topology.zooKeeperLink(EU);
            try (Connection stalled = topology.connect(primary); Connection taker = topology.connect(primary)) {
                // eu-west's writer of epoch 1 has written and stalls before its commit (it holds the fence's lock).
                stalled.setAutoCommit(false);
                try (Statement s = stalled.createStatement()) {
                    s.execute(Fence.stampSql(eu.admission().admit(P).epoch()));
                    s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (1, 1)");
                }
                world.expectLoss(eu.client());
                euZooKeeper.blackhole();
                Authority claimed = await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                    try {
                        return us.store().takeOver(us.watcher(), P, us.siteId());
                    } catch (TakeoverRefusedException e) {
                        return null;
                    }
                }, Objects::nonNull);
                assertThat(claimed.epoch()).isEqualTo(2);
                assertThat(claimed.phase()).isEqualTo(Authority.Phase.FENCING);
                long fenceWaitSeconds = 60;
                Future<Long> bump = bumper.submit(() -> Fence.bump(taker, claimed.epoch(),
                        Duration.ofSeconds(fenceWaitSeconds)));
                await().atMost(WAIT).until(() -> us.watcher().authority(P).orElseThrow().equals(claimed));

                // The bump waits for the stalled writer; meanwhile nobody admits a write, the new owner included.
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                        .until(() -> !bump.isDone() && !us.admission().admits(P));
                assertThatThrownBy(() -> us.admission().admit(P))
                        .isInstanceOfSatisfying(NotAuthoritativeException.class, e -> {
                            assertThat(e.hint()).isEqualTo(RetryHint.FENCING_IN_PROGRESS);
                            assertThat(e.lastKnownOwner()).contains(SiteId.of(US));
                            assertThat(e.lastKnownEpoch()).isEqualTo(2);
                            assertThat(e).hasMessageContaining("fencing in progress");
                        });
                assertThat(usResumedAt).as("admissions resumed at us-east before the fence was raised").isEmpty();

                // The stalled writer commits (the fence is still at 1), then the bump goes through.
                stalled.commit();
                assertThat(bump.get(30, TimeUnit.SECONDS)).isEqualTo(2);
                long fenced = System.nanoTime();
                assertThat(us.admission().admits(P)).as("fence raised but the epoch not yet ACTIVE").isFalse();
                stalled.setAutoCommit(true);
                try (Statement s = stalled.createStatement()) {
                    assertThatThrownBy(() -> s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (1, 2)"))
                            .isInstanceOf(SQLException.class).hasMessageContaining("older than the fence");
                }

                Authority active = us.store().activate(P, claimed.epoch());
                assertThat(active.phase()).isEqualTo(Authority.Phase.ACTIVE);
                assertThat(active.epoch()).isEqualTo(2);
                await().atMost(WAIT).until(() -> us.admission().admits(P));
                assertThat(usResumedAt).isNotEmpty().allSatisfy(at -> assertThat(at).as("resumed after the bump")
                        .isGreaterThan(fenced));
                try (Statement s = taker.createStatement()) {
                    s.execute(Fence.stampSql(us.admission().admit(P).epoch()));
                    assertThat(s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (2, 1)")).isEqualTo(1);
                }
            } finally {
                bumper.shutdownNow();
                euZooKeeper.heal();
            }
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    @Test
    void aTakeoverWhoseFencingFailsStaysFencingUntilItsCoordinatorCompletesIt() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "fencing-retry", EU, US)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint standby = topology.replicas(EU).get(0);
            TakeoverWorld.prepareLedger(topology, oldPrimary);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            // The candidate is reached through us-east's link to it, cut just before the failover's second
            // connection (the promotion): the claim is made, the promotion and fencing are not.
            Link toStandby = topology.link(US, standby);
            String url = topology.jdbcUrl(US, standby) + "&connectTimeout=3&loginTimeout=3&socketTimeout=10";
            AtomicInteger opens = new AtomicInteger();
            Failover.Database candidate = new Failover.Database(standby.name(), () -> {
                if (opens.incrementAndGet() == 2) {
                    toStandby.blackhole();
                }
                return DriverManager.getConnection(url);
            });
            TakeoverWorld.Router us = world.router(US, "us-1");
            try {
                // No eu-west router holds the lease: us-east's coordinator takes over after the safety margin.
                TakeoverWorld.Events events = world.coordinator(us, new FailoverPlan(P,
                        Failover.RecoveryPolicy.AVAILABLE, candidate, false,
                        List.of(TakeoverWorld.direct(topology, oldPrimary)), Duration.ofSeconds(2)));
                await().atMost(WAIT).until(() -> !events.of(FailoverEvent.FencingIncomplete.class).isEmpty());
                FailoverEvent.FencingIncomplete incomplete = events.of(FailoverEvent.FencingIncomplete.class).get(0);
                System.out.printf("FIGURE fencing failed after the claim: %s%n", incomplete.error());
                assertThat(incomplete.epoch()).isEqualTo(2);
                assertThat(incomplete.error()).contains("stays FENCING at epoch 2");
                Authority fencing = admin.read(P).orElseThrow();
                assertThat(fencing.owner()).isEqualTo(SiteId.of(US));
                assertThat(fencing.phase()).isEqualTo(Authority.Phase.FENCING);
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                        !us.admission().admits(P) && admin.read(P).orElseThrow().equals(fencing));
                assertThatThrownBy(() -> us.admission().admit(P)).isInstanceOfSatisfying(
                        NotAuthoritativeException.class, e -> assertThat(e.hint())
                                .isEqualTo(RetryHint.FENCING_IN_PROGRESS));
                assertThat(topology.inRecovery(standby)).as("not promoted while cut off").isTrue();
                assertThat(events.of(FailoverEvent.FencingIncomplete.class)).as("told once").hasSize(1);

                toStandby.heal();
                await().atMost(WAIT).until(() -> !events.of(FailoverEvent.TookOver.class).isEmpty());
                Failover.Report report = events.of(FailoverEvent.TookOver.class).get(0).report();
                assertThat(report.authority().phase()).isEqualTo(Authority.Phase.ACTIVE);
                assertThat(report.authority().epoch()).isEqualTo(2);
                await().atMost(WAIT).until(() -> us.admission().admits(P));
                assertThat(us.admission().admit(P).epoch()).isEqualTo(2);
                assertThat(admin.read(P).orElseThrow().timelineStart()).contains(report.timelineStart());
                assertThat(topology.inRecovery(standby)).isFalse();
                try (Connection c = topology.connect(standby)) {
                    assertThat(Fence.epoch(c)).isEqualTo(2);
                }
                assertThat(events.of(FailoverEvent.Failed.class)).isEmpty();
            } finally {
                toStandby.heal();
            }
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    /**
     * A claim left FENCING that the site's coordinator did not make (here an operator's, by hand; the same holds for
     * one made by this coordinator before it restarted): the coordinator cannot know which database the claimer
     * promoted, so it says so once ({@link FailoverEvent.FencingUnattended}) and leaves the partition FENCING, its
     * candidate untouched, until the operator finishes it.
     */
    @Test
    void aFencingClaimTheCoordinatorDidNotMakeIsToldAndLeftToAnOperator() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "unattended", EU, US)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint standby = topology.replicas(EU).get(0);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router us = world.router(US, "us-1");
            // No eu-west router holds the lease; an operator claims the partition for us-east and stops there.
            await().atMost(WAIT).until(() -> us.watcher().takeoverCheck(P, SiteId.of(US)).eligible());
            Authority claimed = admin.takeOver(us.watcher(), P, SiteId.of(US));
            assertThat(claimed.phase()).isEqualTo(Authority.Phase.FENCING);

            List<Failover.Database> others = List.of(TakeoverWorld.direct(topology, oldPrimary));
            Failover.Database candidate = TakeoverWorld.direct(topology, standby);
            TakeoverWorld.Events events = world.coordinator(us, new FailoverPlan(P, Failover.RecoveryPolicy.AVAILABLE,
                    candidate, false, others, Duration.ofSeconds(2)));
            await().atMost(WAIT).until(() -> !events.of(FailoverEvent.FencingUnattended.class).isEmpty());
            assertThat(events.of(FailoverEvent.FencingUnattended.class).get(0).epoch()).isEqualTo(claimed.epoch());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                    admin.read(P).orElseThrow().equals(claimed) && !us.admission().admits(P));
            assertThat(topology.inRecovery(standby)).as("the candidate is left alone").isTrue();
            assertThat(events.of(FailoverEvent.FencingUnattended.class)).as("told once").hasSize(1);
            assertThat(events.of(FailoverEvent.TookOver.class)).isEmpty();

            Failover.Report report = Failover.resume(admin, new Failover.Request(P, SiteId.of(US), candidate, false,
                    others, Failover.RecoveryPolicy.AVAILABLE, 0, Duration.ofSeconds(2)));
            assertThat(report.authority().phase()).isEqualTo(Authority.Phase.ACTIVE);
            assertThat(report.authority().epoch()).isEqualTo(claimed.epoch());
            await().atMost(WAIT).until(() -> us.admission().admits(P));
            assertThat(world.uninjectedLosses()).isZero();
        }
    }
}
