package dev.domicile.router.faults;

import static dev.domicile.router.faults.FaultWorld.EU;
import static dev.domicile.router.faults.FaultWorld.FENCE_WAIT;
import static dev.domicile.router.faults.FaultWorld.P;
import static dev.domicile.router.faults.FaultWorld.US;
import static dev.domicile.router.faults.FaultWorld.WAIT;
import static dev.domicile.router.faults.FaultWorld.millis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.Failover;
import dev.domicile.partition.SiteId;
import dev.domicile.router.faults.FaultWorld.SiteRouter;
import dev.domicile.router.faults.HistoryChecker.LsnRange;
import dev.domicile.router.faults.HistoryChecker.Result;
import dev.domicile.router.faults.WriteHistory.Outcome;
import dev.domicile.router.faults.WriteHistory.Write;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite, scenario 6: AVAILABLE failover from an asynchronous replica that really misses acknowledged
 * writes. eu-west writes Alice's partition through its router; the WAL stream to its replica in us-east is cut (the
 * replica's link to the primary is blackholed), eu-west keeps acknowledging writes, then eu-west is lost (ZooKeeper
 * link cut, primary killed, the held WAL dropped). us-east fails over with AVAILABLE. The reported range must cover
 * every acknowledged write missing on the new primary, and no write that is there: each write's commit position is
 * bracketed by the WAL insert position read just before its commit and the position the router read just after.
 */
class AvailableFailoverFaultSuiteTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site(EU).site(US).replicasPerSite(0).replicas(EU, US, 1).redis(false));

    @Test
    void theReportedLossRangeCoversExactlyTheMissingAcknowledgedWrites() throws Exception {
        Topology topology = TOPOLOGY.topology();
        Endpoint primary = topology.primary(EU);
        Endpoint replica = topology.replicas(EU).get(0);
        Link walStream = topology.link(US, primary);
        Link euZooKeeper = topology.zooKeeperLink(EU);
        try (FaultWorld world = new FaultWorld(topology, "available")) {
            world.initializeAuthority();
            world.prepareDatabases();
            SiteRouter eu = world.router(EU, true, null);
            SiteRouter us = world.router(US, false, null);
            await().atMost(WAIT).until(() -> eu.admission().admits(P) && eu.lease().holds(P)
                    && us.watcher().snapshot().leases().containsKey(P));
            WriteHistory history = new WriteHistory();
            long lostAt;
            try (Writer a = Writer.start("a", EU, eu.dataSource(), "alice", P, world.table, history,
                    Duration.ofMillis(5))) {
                await().atMost(WAIT).until(() -> a.acknowledged() >= 50);
                walStream.blackhole();
                int beforeCut = a.acknowledged();
                await().atMost(WAIT).until(() -> a.acknowledged() >= beforeCut + 50);
                world.expectLoss(eu.client());
                euZooKeeper.blackhole();
                lostAt = System.nanoTime();
                topology.kill(primary);
            }
            walStream.reset();   // WAL the proxy still held is dropped with the connection, never delivered

            long lastAcknowledged = history.of(EU, Outcome.ACKNOWLEDGED).stream().mapToLong(Write::commitLsn)
                    .max().orElseThrow();
            await().atMost(WAIT).until(() -> us.watcher().takeoverCheck(P, SiteId.of(US)).eligible());
            long claimStart = System.nanoTime();
            AuthorityStore store = AuthorityStore.of(us.client(), us.watcher().config());
            Failover.Report report = Failover.run(store, us.watcher(), new Failover.Request(P, SiteId.of(US),
                    new Failover.Database(replica.name(), () -> topology.connect(replica)), false,
                    List.of(new Failover.Database(primary.name(), () -> topology.connect(primary))),
                    Failover.RecoveryPolicy.AVAILABLE, lastAcknowledged, FENCE_WAIT));
            world.timeline(P).add(report.authority().epoch(), US, claimStart);

            try (Writer b = Writer.start("b", US, us.dataSource(), "alice", P, world.table, history,
                    Duration.ofMillis(10))) {
                await().atMost(WAIT).until(() -> b.acknowledged() >= 5);
            }
            long firstAtNewOwner = history.of(US, Outcome.ACKNOWLEDGED).stream().mapToLong(Write::endNanos).min()
                    .orElseThrow();
            walStream.heal();

            Map<String, Long> readBack = world.readBack(replica);
            assertThat(report.mayLose()).as("a loss range is reported").isPresent();
            LsnRange range = LsnRange.parse(report.mayLose().orElseThrow());
            Result result = world.check(history, P, replica, Optional.of(range));
            List<Write> acknowledged = history.of(EU, Outcome.ACKNOWLEDGED);
            long missing = acknowledged.stream().filter(w -> !readBack.containsKey(w.id())).count();
            long lastMissing = acknowledged.stream().filter(w -> !readBack.containsKey(w.id()))
                    .mapToLong(Write::commitLsn).max().orElse(0);
            System.out.printf("FAULT-SUITE 6 AVAILABLE failover from a replica cut off from the WAL stream: %s;"
                            + " eu-west acknowledged %d writes, %d missing on the new primary; reported range %s"
                            + " (received %s, %d WAL bytes), every missing write inside: %s, no present write inside:"
                            + " %s; site lost -> first write at us-east %d ms (failover call %d ms); session losses"
                            + " injected %d, uninjected %d%n", result.summary(), acknowledged.size(), missing,
                    report.mayLose().orElseThrow(), report.received(), range.upToInclusive() - range.afterExclusive(),
                    result.lost() == 0, result.overReported() == 0, millis(firstAtNewOwner - lostAt),
                    report.took().toMillis(), world.injectedLosses(), world.uninjectedLosses());

            assertThat(missing).as("acknowledged writes the replica really missed").isPositive();
            assertThat(result.reportedLost()).isEqualTo((int) missing);
            assertThat(result.lost()).as("missing acknowledged writes outside the reported range").isZero();
            assertThat(result.overReported()).as("present writes inside the reported range").isZero();
            assertThat(lastMissing).isEqualTo(lastAcknowledged);
            assertThat(result.wronglyAccepted()).isZero();
            assertThat(result.overlaps()).isZero();
            assertThat(result.clean()).as(result.anomalies().toString()).isTrue();
            assertThat(report.authority().epoch()).isEqualTo(2);
            assertThat(topology.inRecovery(replica)).isFalse();
            assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
        } finally {
            walStream.heal();
            euZooKeeper.heal();
        }
    }
}
