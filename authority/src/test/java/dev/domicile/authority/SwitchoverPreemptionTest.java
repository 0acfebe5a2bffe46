package dev.domicile.authority;

import static dev.domicile.authority.TakeoverWorld.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failover during a planned switchover, on real servers (scenario 12): a switchover of partition P from eu-west to
 * us-east is paused at a chosen step ({@link Switchover.StepListener}), eu-west's ZooKeeper link is cut so that its
 * session expires and its lease node vanishes, a {@link FailoverCoordinator} takes P over, and the switchover is then
 * released. Writers run throughout through every site's admission; afterwards the history is checked with counts:
 * writes acknowledged by a site that did not own the epoch they carried (0), sites admitting at the same instant
 * (sampled, at most 1), databases accepting a write of the final epoch (exactly 1), acknowledged writes missing on the
 * final primary (0). Also: a retried switchover and an abort after the failover change nothing, a standby does not
 * take over a new owner on the old owner's lease absence, and a switchover whose driver died after promoting is
 * reported by the coordinator and finished by the runbook's steps. Each test starts its own topology.
 */
class SwitchoverPreemptionTest {

    private static final String EU = "eu-west";
    private static final String US = "us-east";
    private static final String AP = "ap-south";
    private static final Duration FENCE_WAIT = Duration.ofSeconds(2);

    /**
     * (a) ap-south comes first in the failover order and takes P over while the switchover to us-east is paused; then
     * the switchover is released (c: and retried, and aborted).
     */
    @ParameterizedTest(name = "eu-west lost after {0}")
    @EnumSource(value = Switchover.Step.class, names = {"MOVING", "CAUGHT_UP", "PROMOTED"})
    void aFailoverToAThirdSiteWinsAndTheSwitchoverNeitherCompletesNorRestoresTheOldOwner(Switchover.Step step)
            throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).site(AP).replicasPerSite(0)
                .replicas(EU, US, 1).replicas(EU, AP, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "preempt-" + step, EU, AP, US)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint target = replicaIn(topology, US);
            Endpoint apReplica = replicaIn(topology, AP);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            TakeoverWorld.Router ap = world.router(AP, "ap-1");
            TakeoverWorld.Events apEvents = world.coordinator(ap, plan(topology, apReplica));
            TakeoverWorld.Events usEvents = world.coordinator(us, plan(topology, target));
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));
            TakeoverWorld.prepareLedger(topology, oldPrimary);
            Switchover.Request request = request(topology, target);

            SwitchoverPreemptedException preempted;
            try (LedgerWriters writers = new LedgerWriters(topology, Map.of(eu, oldPrimary, us, target, ap,
                    apReplica), 4);
                 AdmittingSites admitting = new AdmittingSites(List.of(eu, us, ap))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(EU) >= 200);
                Pause pause = new Pause(step);
                FutureTask<Switchover.Report> switchover = start(admin, request, pause);
                assertThat(pause.reached.await(60, TimeUnit.SECONDS)).as("switchover reached " + step).isTrue();

                world.expectLoss(eu.client());
                topology.zooKeeperLink(EU).blackhole();
                await().atMost(Duration.ofSeconds(60)).until(() -> !apEvents.of(FailoverEvent.TookOver.class)
                        .isEmpty() || !apEvents.of(FailoverEvent.Failed.class).isEmpty());
                pause.release.countDown();
                Throwable thrown = catchThrowable(() -> switchover.get(60, TimeUnit.SECONDS));
                assertThat(thrown).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(SwitchoverPreemptedException.class);
                preempted = (SwitchoverPreemptedException) thrown.getCause();
                System.out.printf("FIGURE switchover preempted after %s: %s%n", step, preempted.getMessage());

                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(AP) >= 100);
                writers.stop();
                admitting.stop();
                List<LedgerWriters.Ack> wrong = writers.acks.stream().filter(a -> !(a.epoch() == 1
                        && a.site().equals(EU)) && !(a.epoch() == 2 && a.site().equals(AP))).toList();
                Set<Long> onFinalPrimary = TakeoverWorld.ids(topology, apReplica);
                long lost = writers.acks.stream().filter(a -> !onFinalPrimary.contains(a.id())).count();
                List<String> accepting = acceptingPrimaries(topology, 2, oldPrimary, target, apReplica);
                System.out.printf("FIGURE switchover preempted after %s: acknowledged %d at eu-west, %d at us-east, %d"
                        + " at ap-south; wrongly accepted %d; sites admitting at once (max) %d; databases accepting"
                        + " epoch 2 %s; acknowledged writes lost %d; failures %s%n", step, writers.acknowledgedAt(EU),
                        writers.acknowledgedAt(US), writers.acknowledgedAt(AP), wrong.size(), admitting.max(),
                        accepting, lost, writers.failures);
                assertThat(wrong).as("writes acknowledged by a site that did not own their epoch").isEmpty();
                assertThat(admitting.max()).as("sites admitting at the same instant").isLessThanOrEqualTo(1);
                assertThat(accepting).as("databases accepting a write of epoch 2").containsExactly(apReplica.name());
                assertThat(lost).as("acknowledged writes missing on the final primary").isZero();
            }

            assertThat(preempted.owner()).isEqualTo(SiteId.of(AP));
            assertThat(preempted.epoch()).isEqualTo(2);
            assertThat(preempted.target()).isEqualTo(step == Switchover.Step.PROMOTED
                    ? SwitchoverPreemptedException.TargetState.RETIRED
                    : SwitchoverPreemptedException.TargetState.NOT_PROMOTED);
            assertThat(topology.inRecovery(target)).as("us-east promoted").isEqualTo(step != Switchover.Step.PROMOTED);
            Authority now = admin.read(P).orElseThrow();
            assertThat(now.owner()).isEqualTo(SiteId.of(AP));
            assertThat(now.epoch()).isEqualTo(2);
            assertThat(now.phase()).isEqualTo(Authority.Phase.ACTIVE);
            assertThat(now.movingTo()).isEmpty();
            assertThat(now.reason()).contains("preempts the planned switchover from eu-west to us-east");
            assertThat(apEvents.of(FailoverEvent.TookOver.class)).hasSize(1);
            assertThat(usEvents.of(FailoverEvent.TookOver.class)).isEmpty();

            // (c) A retried switchover names a database that is no longer the owner's primary: refused, nothing changed.
            assertThatThrownBy(() -> Switchover.run(admin, request)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not ap-south's primary at epoch 2");
            // An abort of the preempted move cannot restore eu-west, neither at its epoch nor at the new one.
            assertThatThrownBy(() -> admin.abortMove(P, 1, "operator gives up"))
                    .isInstanceOf(AuthorityConflictException.class);
            assertThatThrownBy(() -> admin.abortMove(P, 2, "operator gives up"))
                    .isInstanceOf(AuthorityConflictException.class).hasMessageContaining("not moving");
            assertThat(admin.read(P)).contains(now);
            assertThat(ap.admission().admits(P)).isTrue();
            assertThat(eu.admission().admits(P) || us.admission().admits(P)).isFalse();
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    /**
     * (b) us-east is both the switchover's target and the failover order's next site: its coordinator promotes the
     * same database the switchover promotes. Before the switchover's promotion the failover wins (the switchover
     * stops, preempted, and promotes nothing); after it, the failover refuses (the candidate is no replica any more,
     * and it says a switchover promoted it) and the switchover completes.
     */
    @ParameterizedTest(name = "eu-west lost after {0}")
    @EnumSource(value = Switchover.Step.class, names = {"CAUGHT_UP", "PROMOTED"})
    void whenTheTargetIsAlsoTheNextSiteOfTheFailoverOrderExactlyOneOfThemPromotesIt(Switchover.Step step)
            throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "same-target-" + step, EU, US)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint target = topology.replicas(EU).get(0);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            TakeoverWorld.Events usEvents = world.coordinator(us, plan(topology, target));
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));
            TakeoverWorld.prepareLedger(topology, oldPrimary);

            try (LedgerWriters writers = new LedgerWriters(topology, Map.of(eu, oldPrimary, us, target), 4);
                 AdmittingSites admitting = new AdmittingSites(List.of(eu, us))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(EU) >= 200);
                Pause pause = new Pause(step);
                FutureTask<Switchover.Report> switchover = start(admin, request(topology, target), pause);
                assertThat(pause.reached.await(60, TimeUnit.SECONDS)).as("switchover reached " + step).isTrue();

                world.expectLoss(eu.client());
                topology.zooKeeperLink(EU).blackhole();
                Class<? extends FailoverEvent> expected = step == Switchover.Step.PROMOTED
                        ? FailoverEvent.Refused.class : FailoverEvent.TookOver.class;
                await().atMost(Duration.ofSeconds(60)).until(() -> !usEvents.of(expected).isEmpty()
                        || !usEvents.of(FailoverEvent.Failed.class).isEmpty());
                pause.release.countDown();
                Throwable thrown = catchThrowable(() -> switchover.get(60, TimeUnit.SECONDS));
                if (step == Switchover.Step.PROMOTED) {
                    assertThat(thrown).as("the switchover completes").isNull();
                    Switchover.Report report = switchover.get();
                    assertThat(report.authority().owner()).isEqualTo(SiteId.of(US));
                    String refusal = usEvents.of(FailoverEvent.Refused.class).get(0).reason();
                    System.out.printf("FIGURE failover refused while the switchover promoted its target: %s%n",
                            refusal);
                    assertThat(refusal).contains("whose switchover has promoted it");
                    assertThat(usEvents.of(FailoverEvent.TookOver.class)).isEmpty();
                } else {
                    assertThat(thrown).isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(SwitchoverPreemptedException.class);
                    SwitchoverPreemptedException preempted = (SwitchoverPreemptedException) thrown.getCause();
                    System.out.printf("FIGURE switchover preempted by its own target's failover: %s%n",
                            preempted.getMessage());
                    assertThat(preempted.owner()).isEqualTo(SiteId.of(US));
                    assertThat(preempted.target()).isEqualTo(SwitchoverPreemptedException.TargetState.NOT_PROMOTED);
                    assertThat(usEvents.of(FailoverEvent.TookOver.class)).hasSize(1);
                }

                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(US) >= 100);
                writers.stop();
                admitting.stop();
                List<LedgerWriters.Ack> wrong = writers.acks.stream().filter(a -> !(a.epoch() == 1
                        && a.site().equals(EU)) && !(a.epoch() == 2 && a.site().equals(US))).toList();
                Set<Long> onFinalPrimary = TakeoverWorld.ids(topology, target);
                long lost = writers.acks.stream().filter(a -> !onFinalPrimary.contains(a.id())).count();
                List<String> accepting = acceptingPrimaries(topology, 2, oldPrimary, target);
                System.out.printf("FIGURE same target, eu-west lost after %s: acknowledged %d at eu-west, %d at"
                        + " us-east; wrongly accepted %d; sites admitting at once (max) %d; databases accepting epoch 2"
                        + " %s; lost %d%n", step, writers.acknowledgedAt(EU), writers.acknowledgedAt(US),
                        wrong.size(), admitting.max(), accepting, lost);
                assertThat(wrong).as("writes acknowledged by a site that did not own their epoch").isEmpty();
                assertThat(admitting.max()).as("sites admitting at the same instant").isLessThanOrEqualTo(1);
                assertThat(accepting).as("databases accepting a write of epoch 2").containsExactly(target.name());
                assertThat(lost).as("acknowledged writes missing on the final primary").isZero();
            }
            Authority now = admin.read(P).orElseThrow();
            assertThat(now.owner()).isEqualTo(SiteId.of(US));
            assertThat(now.epoch()).isEqualTo(2);
            assertThat(now.phase()).isEqualTo(Authority.Phase.ACTIVE);
            assertThat(now.movingTo()).isEmpty();
            assertThat(now.timelineStart().map(TimelineStart::database)).contains(target.name());
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    /**
     * The owner's lease vanishes while the partition is moving and the switchover then completes before any standby
     * takes over: the new owner gets the whole safety margin to create its lease, instead of being taken over at once
     * on the old owner's absence (us-east runs no router here, so it never creates one and the takeover becomes
     * allowed a margin later).
     */
    @Test
    void aSwitchoverCompletedAfterTheOwnersLeaseVanishedGivesTheNewOwnerTheSafetyMargin() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "margin", EU, US)) {
            Endpoint target = topology.replicas(EU).get(0);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            AuthorityWatcher observer = world.observer(US);
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.lease().holds(P) && observer.snapshot().live()
                    && observer.snapshot().leases().containsKey(P));
            TakeoverWorld.prepareLedger(topology, topology.primary(EU));
            AtomicReference<TakeoverCheck> atNewOwner = new AtomicReference<>();
            observer.addListener(new AuthorityListener() {
                @Override
                public void onChange(Authority previous, Authority current) {
                    if (current.owner().equals(SiteId.of(US))) {
                        atNewOwner.compareAndSet(null, observer.takeoverCheck(P, SiteId.of(EU)));
                    }
                }
            });

            Pause pause = new Pause(Switchover.Step.MOVING);
            FutureTask<Switchover.Report> switchover = start(admin, request(topology, target), pause);
            assertThat(pause.reached.await(60, TimeUnit.SECONDS)).isTrue();
            world.expectLoss(eu.client());
            topology.zooKeeperLink(EU).blackhole();
            // eu-west's lease is gone for longer than the margin: a standby could take eu-west's partition over now.
            await().atMost(Duration.ofSeconds(60)).until(() -> observer.takeoverCheck(P, SiteId.of(US)).eligible());
            pause.release.countDown();
            Switchover.Report report = switchover.get(60, TimeUnit.SECONDS);
            assertThat(report.authority().owner()).isEqualTo(SiteId.of(US));

            await().atMost(Duration.ofSeconds(10)).until(() -> atNewOwner.get() != null);
            TakeoverCheck check = atNewOwner.get();
            System.out.printf("FIGURE lease absence at the new owner's publication: %s%n", check);
            assertThat(check.eligible()).as("takeover of the new owner allowed at once").isFalse();
            assertThat(check.eligibleAt()).isPresent();
            // us-east never creates a lease here: a margin later the takeover is allowed (not blocked for ever).
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.takeoverCheck(P, SiteId.of(EU)).eligible());
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    /**
     * The switchover's driver dies after promoting its target while the owner site is lost: the partition stays
     * moving (nobody admits), the target site's coordinator refuses to fail over and says a switchover promoted its
     * candidate, and the operator finishes it as the runbook says (claim for the target, then {@link Failover#resume}).
     */
    @Test
    void aSwitchoverThatDiesAfterPromotingIsReportedAndFinishedByTheRunbook() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "driver-died", EU, US)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint target = topology.replicas(EU).get(0);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            FailoverPlan plan = plan(topology, target);
            TakeoverWorld.Events usEvents = world.coordinator(us, plan);
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));
            TakeoverWorld.prepareLedger(topology, oldPrimary);

            FutureTask<Switchover.Report> switchover = start(admin, request(topology, target), step -> {
                if (step == Switchover.Step.PROMOTED) {
                    throw new IllegalStateException("the switchover's driver died after " + step);
                }
            });
            assertThat(catchThrowable(() -> switchover.get(60, TimeUnit.SECONDS)))
                    .hasRootCauseMessage("the switchover's driver died after PROMOTED");
            world.expectLoss(eu.client());
            topology.zooKeeperLink(EU).blackhole();
            await().atMost(Duration.ofSeconds(60)).until(() -> !usEvents.of(FailoverEvent.Refused.class).isEmpty());
            assertThat(usEvents.of(FailoverEvent.Refused.class).get(0).reason())
                    .contains("whose switchover has promoted it");
            Authority stuck = admin.read(P).orElseThrow();
            assertThat(stuck.movingTo()).contains(SiteId.of(US));
            assertThat(eu.admission().admits(P) || us.admission().admits(P)).as("admitted while moving").isFalse();

            // The runbook: claim the next epoch for the target site (FENCING), then complete it with Failover.resume.
            admin.claim(P, SiteId.of(US), stuck.epoch());
            Failover.Report report = Failover.resume(admin, new Failover.Request(P, SiteId.of(US), plan.candidate(),
                    false, plan.others(), Failover.RecoveryPolicy.AVAILABLE, 0, FENCE_WAIT));
            assertThat(report.authority().owner()).isEqualTo(SiteId.of(US));
            assertThat(report.authority().epoch()).isEqualTo(2);
            assertThat(report.fences()).containsEntry(oldPrimary.name(), "retired");
            await().atMost(Duration.ofSeconds(10)).until(() -> us.admission().admits(P));
            assertThat(acceptingPrimaries(topology, 2, oldPrimary, target)).containsExactly(target.name());
            assertThat(usEvents.of(FailoverEvent.TookOver.class)).isEmpty();
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    private static FailoverPlan plan(Topology topology, Endpoint candidate) {
        return new FailoverPlan(P, Failover.RecoveryPolicy.AVAILABLE, TakeoverWorld.direct(topology, candidate), false,
                List.of(TakeoverWorld.direct(topology, topology.primary(EU))), FENCE_WAIT);
    }

    private static Switchover.Request request(Topology topology, Endpoint target) {
        return new Switchover.Request(P, SiteId.of(US), TakeoverWorld.direct(topology, topology.primary(EU)),
                TakeoverWorld.direct(topology, target), FENCE_WAIT, Duration.ofSeconds(30));
    }

    private static FutureTask<Switchover.Report> start(AuthorityStore store, Switchover.Request request,
            Switchover.StepListener steps) {
        FutureTask<Switchover.Report> task = new FutureTask<>(() -> Switchover.run(store, request, steps));
        Thread.ofPlatform().daemon().name("switchover").start(task);
        return task;
    }

    private static Endpoint replicaIn(Topology topology, String site) {
        return topology.replicas(EU).stream().filter(e -> e.site().equals(site)).findFirst().orElseThrow();
    }

    /** The databases (by name) that are out of recovery and accept a write stamped with {@code epoch} (rolled back). */
    private static List<String> acceptingPrimaries(Topology topology, long epoch, Endpoint... databases)
            throws SQLException {
        List<String> accepting = new ArrayList<>();
        for (Endpoint database : databases) {
            if (topology.inRecovery(database)) {
                continue;
            }
            try (Connection c = topology.connect(database); Statement s = c.createStatement()) {
                s.execute(Fence.stampSql(epoch));
                c.setAutoCommit(false);
                try {
                    s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (-1, -1)");
                    accepting.add(database.name());
                } catch (SQLException e) {
                    if (!e.getMessage().contains("older than the fence")) {
                        throw e;
                    }
                } finally {
                    c.rollback();
                }
            }
        }
        return accepting;
    }

    /** Holds a switchover at one step until released. */
    private static final class Pause implements Switchover.StepListener {

        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final Switchover.Step at;

        Pause(Switchover.Step at) {
            this.at = at;
        }

        @Override
        public void reached(Switchover.Step step) {
            if (step != at) {
                return;
            }
            reached.countDown();
            try {
                if (!release.await(180, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the switchover at " + at);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at " + at, e);
            }
        }
    }

    /** Samples about every millisecond how many sites admit writes of P at the same instant; keeps the maximum. */
    private static final class AdmittingSites implements AutoCloseable {

        private final AtomicInteger max = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        AdmittingSites(List<TakeoverWorld.Router> routers) {
            this.thread = Thread.ofPlatform().daemon().name("admitting-sites").start(() -> {
                while (running) {
                    int admitting = 0;
                    for (TakeoverWorld.Router router : routers) {
                        if (router.admission().admits(P)) {
                            admitting++;
                        }
                    }
                    max.accumulateAndGet(admitting, Math::max);
                    LockSupport.parkNanos(1_000_000);
                }
            });
        }

        int max() {
            return max.get();
        }

        @Override
        public void close() {
            stop();
        }

        /** Stops sampling and waits for the sampler to end. */
        void stop() {
            running = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
