package dev.domicile.router.faults;

import static dev.domicile.router.faults.FaultWorld.EU;
import static dev.domicile.router.faults.FaultWorld.P;
import static dev.domicile.router.faults.FaultWorld.SESSION;
import static dev.domicile.router.faults.FaultWorld.US;
import static dev.domicile.router.faults.FaultWorld.WAIT;
import static dev.domicile.router.faults.FaultWorld.millis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AdmissionListener;
import dev.domicile.partition.PartitionId;
import dev.domicile.router.faults.FaultWorld.SiteRouter;
import dev.domicile.router.faults.FaultWorld.Takeover;
import dev.domicile.router.faults.HistoryChecker.Result;
import dev.domicile.router.faults.WriteHistory.Outcome;
import dev.domicile.router.faults.WriteHistory.Write;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite on the owner's ZooKeeper link (issue 5, scenarios 1 and 4): eu-west owns partition eu-west
 * (Alice's) and its primary; clients write Alice's partition through the routers of both sites while eu-west's
 * ZooKeeper link is cut or flapping, and us-east's operator takes over when the takeover check allows it (authority
 * in ZooKeeper, then the fence of the primary, which stays where it is). Every write is kept in a
 * {@link WriteHistory} and checked by {@link HistoryChecker}; each test prints one line of figures. Session timeout
 * 5 s, safety margin 1 s.
 */
class ZooKeeperLinkFaultSuiteTest {

    private static final Duration PAUSE = Duration.ofMillis(10);

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site(EU).site(US).replicasPerSite(0).redis(false));

    private Topology topology;
    private FaultWorld world;
    private ScheduledExecutorService faults;

    @BeforeEach
    void world(TestInfo test) throws SQLException {
        topology = TOPOLOGY.topology();
        world = new FaultWorld(topology, test.getTestMethod().orElseThrow().getName());
        faults = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("fault-schedule")
                .factory());
        world.initializeAuthority();
        world.prepareDatabases();
    }

    @AfterEach
    void close() throws InterruptedException {
        faults.shutdownNow();
        faults.awaitTermination(10, TimeUnit.SECONDS);
        topology.zooKeeperLink(EU).heal();
        world.close();
    }

    private static AtomicLong firstStop(SiteRouter router, long[] after) {
        AtomicLong stoppedAt = new AtomicLong();
        router.admission().addListener(new AdmissionListener() {
            @Override
            public void onStopped(PartitionId partition, String reason) {
                long now = System.nanoTime();
                if (partition.equals(P) && now >= after[0]) {
                    stoppedAt.compareAndSet(0, now);
                }
            }
        });
        return stoppedAt;
    }

    private static long firstEnd(WriteHistory history, String site, Outcome outcome, long epoch, long after) {
        return history.of(site, outcome).stream().filter(w -> (epoch < 0 || w.epoch() == epoch)
                && w.startNanos() >= after).mapToLong(Write::endNanos).min().orElse(0);
    }

    @Test
    void ownerCutFromZooKeeperForTwiceTheSessionTimeout() throws Exception {
        SiteRouter eu = world.router(EU, true, null);
        SiteRouter us = world.router(US, true, null);
        world.awaitSteadyState(eu, us);
        long[] cut = {Long.MAX_VALUE};
        AtomicLong stoppedAt = firstStop(eu, cut);
        Endpoint primary = topology.primary(EU);
        WriteHistory history = new WriteHistory();
        Link zooKeeper = topology.zooKeeperLink(EU);
        Takeover takeover;
        long healedAt;
        long firstAtNewOwner;
        long samplesBoth;
        long lastAdmittedAtA;
        long firstAdmittedAtB;
        try (Writer a = Writer.start("a", EU, eu.dataSource(), "alice", P, world.table, history, PAUSE);
             Writer b = Writer.start("b", US, us.dataSource(), "alice", P, world.table, history, PAUSE);
             AdmissionSampler sampler = new AdmissionSampler(eu.admission(), us.admission(), P)) {
            await().atMost(WAIT).until(() -> a.acknowledged() >= 20);
            world.expectLoss(eu.client());
            cut[0] = System.nanoTime();
            zooKeeper.blackhole();
            ScheduledFuture<?> heal = faults.schedule(zooKeeper::heal, SESSION.toMillis() * 2, TimeUnit.MILLISECONDS);

            takeover = world.takeOver(us, P, List.of(primary));
            await().atMost(WAIT).until(() -> firstEnd(history, US, Outcome.ACKNOWLEDGED, 2, 0) != 0);
            firstAtNewOwner = firstEnd(history, US, Outcome.ACKNOWLEDGED, 2, 0);
            await().atMost(WAIT).until(heal::isDone);
            healedAt = System.nanoTime();
            await().atMost(WAIT).until(() -> eu.watcher().snapshot().live()
                    && eu.watcher().authority(P).orElseThrow().epoch() == 2);
            await().atMost(WAIT).until(() -> firstEnd(history, EU, Outcome.REFUSED, -1, healedAt) != 0
                    && b.acknowledged() >= 20);
            samplesBoth = sampler.bothAdmitting();
            lastAdmittedAtA = sampler.firstLastAdmitted() - cut[0];
            firstAdmittedAtB = sampler.secondFirstAdmitted() - cut[0];
        }
        Result result = world.check(history, P, topology.primary(EU), Optional.empty());
        long stop = stoppedAt.get() - cut[0];
        long firstRefusedAtA = firstEnd(history, EU, Outcome.REFUSED, -1, cut[0]) - cut[0];
        long toNewOwner = firstAtNewOwner - cut[0];
        long target = SESSION.toMillis() + 2_000;
        System.out.printf("FAULT-SUITE 1 cut owner's ZooKeeper link for %d ms: %s; eu-west stopped admitting after"
                        + " %d ms (last admission sampled %d ms, first refused write %d ms; limit 2/3 session = %d"
                        + " ms); takeover claimed %d ms after the cut, fence raised %d ms after; us-east admitting"
                        + " from %d ms; first write accepted at us-east %d ms after the cut"
                        + " (target <= %d ms: %s); instants both admitting %d; session losses injected %d, uninjected"
                        + " %d%n", SESSION.toMillis() * 2, result.summary(), millis(stop), millis(lastAdmittedAtA),
                millis(firstRefusedAtA), SESSION.toMillis() * 2 / 3, millis(takeover.claimedNanos() - cut[0]),
                millis(takeover.fencedNanos() - takeover.claimedNanos()), millis(firstAdmittedAtB), millis(toNewOwner),
                target,
                millis(toNewOwner) <= target ? "met" : "MISSED", samplesBoth, world.injectedLosses(),
                world.uninjectedLosses());

        assertThat(result.wronglyAccepted()).as("writes accepted by a router that was not allowed to").isZero();
        assertThat(result.overlaps()).as("acknowledged writes of two owners at the same instant").isZero();
        assertThat(samplesBoth).as("instants at which both sites admitted").isZero();
        assertThat(result.lost()).as("acknowledged writes lost").isZero();
        assertThat(result.clean()).as(result.anomalies().toString()).isTrue();
        assertThat(stoppedAt.get()).as("eu-west stopped admitting").isPositive();
        assertThat(millis(stop)).as("stop after the cut, ms").isLessThanOrEqualTo(SESSION.toMillis() * 2 / 3);
        assertThat(millis(lastAdmittedAtA)).as("last admission at eu-west after the cut, ms")
                .isLessThanOrEqualTo(SESSION.toMillis() * 2 / 3);
        assertThat(firstAdmittedAtB).as("us-east admitted only after the takeover began")
                .isGreaterThanOrEqualTo(takeover.claimStartNanos() - cut[0]);
        assertThat(takeover.authority().epoch()).isEqualTo(2);
        assertThat(millis(toNewOwner)).as("cut -> first write at the new owner, ms (generous bound)")
                .isLessThanOrEqualTo(SESSION.toMillis() * 3);
        assertThat(history.of(EU, Outcome.ACKNOWLEDGED)).as("eu-west acknowledged nothing after it stopped")
                .allMatch(w -> w.endNanos() <= stoppedAt.get() + Duration.ofMillis(500).toNanos());
        assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
    }

    @Test
    void flappingOwnerLinkNeverLetsTwoSitesAdmit() throws Exception {
        SiteRouter eu = world.router(EU, true, null);
        SiteRouter us = world.router(US, true, null);
        world.awaitSteadyState(eu, us);
        AtomicInteger stops = new AtomicInteger();
        AtomicInteger resumes = new AtomicInteger();
        eu.admission().addListener(new AdmissionListener() {
            @Override
            public void onStopped(PartitionId partition, String reason) {
                stops.incrementAndGet();
            }

            @Override
            public void onResumed(dev.domicile.authority.Admission admission) {
                resumes.incrementAndGet();
            }
        });
        Endpoint primary = topology.primary(EU);
        Link zooKeeper = topology.zooKeeperLink(EU);
        WriteHistory history = new WriteHistory();
        // (cut, heal) in ms; only the 8 s cut outlasts the 5 s session
        long[][] flaps = {{1500, 1000}, {2500, 1000}, {3000, 1500}, {8000, 1500}, {2000, 1000}, {1000, 800}};
        long samplesBoth;
        long samples;
        Takeover takeover;
        try (Writer a = Writer.start("a", EU, eu.dataSource(), "alice", P, world.table, history, PAUSE);
             Writer b = Writer.start("b", US, us.dataSource(), "alice", P, world.table, history, PAUSE);
             AdmissionSampler sampler = new AdmissionSampler(eu.admission(), us.admission(), P)) {
            await().atMost(WAIT).until(() -> a.acknowledged() >= 20);
            try (ExecutorService operatorThread = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<Takeover> operator = operatorThread.submit(() -> world.takeOver(us, P, List.of(primary)));
                long offset = 0;
                ScheduledFuture<?> last = null;
                boolean previousExpires = false;
                for (long[] flap : flaps) {
                    boolean expires = flap[0] > SESSION.toMillis();
                    boolean previous = previousExpires;
                    faults.schedule(() -> {
                        if (previous) {
                            world.unexpectLoss(eu.client());
                        }
                        if (expires) {
                            world.expectLoss(eu.client());
                        }
                        zooKeeper.blackhole();
                    }, offset, TimeUnit.MILLISECONDS);
                    offset += flap[0];
                    last = faults.schedule(zooKeeper::heal, offset, TimeUnit.MILLISECONDS);
                    offset += flap[1];
                    previousExpires = expires;
                }
                ScheduledFuture<?> end = last;
                await().atMost(Duration.ofMillis(offset).plus(WAIT)).until(end::isDone);
                takeover = operator.get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> eu.watcher().snapshot().live()
                    && eu.watcher().authority(P).orElseThrow().epoch() == 2 && b.acknowledged() >= 20);
            samplesBoth = sampler.bothAdmitting();
            samples = sampler.samples();
        }
        Result result = world.check(history, P, topology.primary(EU), Optional.empty());
        System.out.printf("FAULT-SUITE 4 flapping ZooKeeper link of the owner (%d cuts, %d ms): %s; eu-west stopped"
                        + " %d times and resumed %d times; takeovers 1 (epoch %d); instants both admitting %d of %d"
                        + " samples; session losses injected %d, uninjected %d%n", flaps.length,
                java.util.Arrays.stream(flaps).mapToLong(f -> f[0] + f[1]).sum(), result.summary(), stops.get(),
                resumes.get(), takeover.authority().epoch(), samplesBoth, samples, world.injectedLosses(),
                world.uninjectedLosses());

        assertThat(samplesBoth).as("instants at which both sites admitted").isZero();
        assertThat(result.overlaps()).as("acknowledged writes of two owners at the same instant").isZero();
        assertThat(result.wronglyAccepted()).isZero();
        assertThat(result.lost()).isZero();
        assertThat(result.clean()).as(result.anomalies().toString()).isTrue();
        assertThat(takeover.authority().epoch()).isEqualTo(2);
        assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
    }
}
