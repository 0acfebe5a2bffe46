package dev.domicile.router.faults;

import static dev.domicile.router.faults.FaultWorld.EU;
import static dev.domicile.router.faults.FaultWorld.P;
import static dev.domicile.router.faults.FaultWorld.Q;
import static dev.domicile.router.faults.FaultWorld.SESSION;
import static dev.domicile.router.faults.FaultWorld.US;
import static dev.domicile.router.faults.FaultWorld.WAIT;
import static dev.domicile.router.faults.FaultWorld.millis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.router.faults.FaultWorld.SiteRouter;
import dev.domicile.router.faults.HistoryChecker.Result;
import dev.domicile.router.faults.WriteHistory.Outcome;
import dev.domicile.router.faults.WriteHistory.Write;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite, scenario 9: the whole ZooKeeper quorum is lost (two of a three-server ensemble stop) for longer
 * than the session timeout while both sites write their home partitions and read them from local replicas. No site
 * may admit a write while the quorum is gone; reads continue; writes return when the quorum does.
 */
class QuorumLossFaultSuiteTest {

    private static final Duration OUTAGE = SESSION.plusSeconds(3);

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site(EU).site(US).replicasPerSite(1).zooKeeperServers(3).redis(false));

    @Test
    void withoutAQuorumNoSiteAdmitsWritesReadsContinueAndWritesReturnWithIt() throws Exception {
        Topology topology = TOPOLOGY.topology();
        ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("fault-schedule").factory());
        boolean[] restarted = {false};
        try (FaultWorld world = new FaultWorld(topology, "quorum")) {
            world.initializeAuthority();
            world.prepareDatabases();
            SiteRouter eu = world.router(EU, true, null);
            SiteRouter us = world.router(US, true, null);
            await().atMost(WAIT).until(() -> eu.admission().admits(P) && us.admission().admits(Q));
            WriteHistory history = new WriteHistory();
            long lost;
            long noneAdmitting;
            long back;
            ScheduledFuture<?> restore;
            List<Reader.Read> reads;
            try (Writer a = Writer.start("a", EU, eu.dataSource(), "alice", P, world.table, history,
                    Duration.ofMillis(10));
                 Writer b = Writer.start("b", US, us.dataSource(), "bob", Q, world.table, history,
                         Duration.ofMillis(10));
                 Reader euReads = new Reader("eu", eu.dataSource(), "alice", world.table, Duration.ofMillis(20));
                 Reader usReads = new Reader("us", us.dataSource(), "bob", world.table, Duration.ofMillis(20))) {
                await().atMost(WAIT).until(() -> a.acknowledged() >= 20 && b.acknowledged() >= 20);
                world.expectLossOfAll();
                lost = System.nanoTime();
                topology.stopZooKeeper(1);
                topology.stopZooKeeper(2);
                restore = faults.schedule(() -> {
                    topology.startZooKeeper(1);
                    topology.startZooKeeper(2);
                    restarted[0] = true;
                }, OUTAGE.toMillis(), TimeUnit.MILLISECONDS);
                await().atMost(WAIT).until(() -> !eu.admission().admits(P) && !us.admission().admits(Q));
                noneAdmitting = System.nanoTime();
                await().atMost(WAIT).until(restore::isDone);
                restore.get();
                back = System.nanoTime();
                int aBefore = a.acknowledged();
                int bBefore = b.acknowledged();
                await().atMost(WAIT).until(() -> a.acknowledged() > aBefore + 10 && b.acknowledged() > bBefore + 10);

                reads = new java.util.ArrayList<>(euReads.between(noneAdmitting, back));
                reads.addAll(usReads.between(noneAdmitting, back));
            }
            // every writer has stopped: the history is complete before it is read back and checked
            // A write admitted before admission stopped may still commit just after (its commit was in flight, and
            // authority cannot move without a quorum): that is not a write admitted while no site may admit.
            List<Write> acceptedWhileLost = history.writes().stream().filter(w -> w.acknowledged()
                    && w.startNanos() > noneAdmitting && w.startNanos() < back).toList();
            long readsOk = reads.stream().filter(Reader.Read::ok).count();
            long firstBackEu = firstAcknowledged(history, EU, back);
            long firstBackUs = firstAcknowledged(history, US, back);
            Result resultP = world.check(history, P, topology.primary(EU), Optional.empty());
            Result resultQ = world.check(history, Q, topology.primary(US), Optional.empty());
            System.out.printf("FAULT-SUITE 9 ZooKeeper quorum lost for %d ms (2 of 3 servers stopped): no site"
                            + " admitting after %d ms; writes acknowledged while no quorum %d; reads while no"
                            + " quorum %d ok of %d; quorum back -> first write acknowledged at eu-west %d ms,"
                            + " at us-east %d ms; %s; %s; session losses injected %d, uninjected %d%n",
                    millis(back - lost), millis(noneAdmitting - lost), acceptedWhileLost.size(), readsOk,
                    reads.size(), millis(firstBackEu - back), millis(firstBackUs - back), resultP.summary(),
                    resultQ.summary(), world.injectedLosses(), world.uninjectedLosses());

            assertThat(acceptedWhileLost).as("writes acknowledged while no site may admit").isEmpty();
            assertThat(history.writes().stream().filter(w -> w.startNanos() > noneAdmitting
                    && w.endNanos() < back)).as("writes tried while the quorum was lost")
                    .isNotEmpty().allMatch(w -> w.outcome() == Outcome.REFUSED);
            assertThat(millis(noneAdmitting - lost)).as("stop after the quorum was lost, ms")
                    .isLessThanOrEqualTo(SESSION.toMillis() * 2 / 3);
            assertThat(reads).as("reads while the quorum was lost").isNotEmpty();
            assertThat(readsOk).as("successful reads while the quorum was lost").isEqualTo(reads.size());
            assertThat(resultP.clean()).as(resultP.anomalies().toString()).isTrue();
            assertThat(resultQ.clean()).as(resultQ.anomalies().toString()).isTrue();
            assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
        } finally {
            faults.shutdownNow();
            faults.awaitTermination(30, TimeUnit.SECONDS);
            if (!restarted[0]) {
                topology.startZooKeeper(1);
                topology.startZooKeeper(2);
            }
        }
    }

    private static long firstAcknowledged(WriteHistory history, String site, long after) {
        return history.of(site, Outcome.ACKNOWLEDGED).stream().filter(w -> w.startNanos() >= after)
                .mapToLong(Write::endNanos).min().orElseThrow();
    }
}
