package dev.domicile.authority;

import static dev.domicile.authority.TakeoverWorld.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Automatic failover by {@link FailoverCoordinator} on real servers: a lost site is taken over by the first live
 * site of the failover order without losing an acknowledged write (SAFE, synchronous standby); SAFE without a
 * synchronous standby refuses and says so; a stall shorter than the session timeout takes nothing over (scenario 3);
 * with three sites exactly one takes over. Each test starts its
 * own topology.
 */
class AutomaticFailoverTest {

    private static final String EU = "eu-west";
    private static final String US = "us-east";
    private static final String AP = "ap-south";

    private static FailoverPlan safePlan(Topology topology, Endpoint candidate) {
        return new FailoverPlan(P, Failover.RecoveryPolicy.SAFE, TakeoverWorld.direct(topology, candidate), true,
                List.of(TakeoverWorld.direct(topology, topology.primary(EU))), Duration.ofSeconds(2));
    }

    @Test
    void aSiteLostToZooKeeperWithItsPrimaryIsTakenOverAutomaticallyWithoutLosingAnAcknowledgedWrite()
            throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).synchronousReplica(EU, US).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "auto-safe", EU, US)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint standby = topology.replicas(EU).get(0);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            TakeoverWorld.Events events = world.coordinator(us, safePlan(topology, standby));
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));
            TakeoverWorld.prepareLedger(topology, oldPrimary);

            try (LedgerWriters writers = new LedgerWriters(topology, Map.of(eu, oldPrimary, us, standby), 4)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(EU) >= 300);
                world.expectLoss(eu.client());
                Link cut = topology.zooKeeperLink(EU);
                cut.blackhole();
                topology.kill(oldPrimary);
                long lost = System.nanoTime();

                await().atMost(Duration.ofSeconds(60)).until(() -> writers.firstAckAt(US, lost) > 0);
                long firstWrite = writers.firstAckAt(US, lost);
                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(US) >= 100);
                writers.stop();
                // The event is told when Failover.run returns, after it recorded the timeline start; us-east may
                // have acknowledged its writes before that (they need only the published authority and the
                // promotion). Asserting earlier, then closing, would interrupt the coordinator mid-run.
                await().atMost(Duration.ofSeconds(30)).until(() -> !events.of(FailoverEvent.TookOver.class).isEmpty()
                        || !events.of(FailoverEvent.Failed.class).isEmpty());

                List<FailoverEvent.TookOver> took = events.of(FailoverEvent.TookOver.class);
                assertThat(took).hasSize(1);
                Failover.Report report = took.get(0).report();
                System.out.printf("FIGURE automatic SAFE failover: site lost -> first write acknowledged at us-east"
                        + " in %d ms (failover itself %d ms); acknowledged %d at eu-west, %d at us-east; refused %d;"
                        + " failures %s%n", (firstWrite - lost) / 1_000_000, report.took().toMillis(),
                        writers.acknowledgedAt(EU), writers.acknowledgedAt(US), writers.refused.sum(),
                        writers.failures);
                assertThat(took.get(0).from()).isEqualTo(SiteId.of(EU));
                assertThat(report.authority().owner()).isEqualTo(SiteId.of(US));
                assertThat(report.authority().epoch()).isEqualTo(2);
                assertThat(report.mayLose()).isEmpty();
                assertThat(events.of(FailoverEvent.Refused.class)).isEmpty();
                assertThat(admin.read(P).orElseThrow().timelineStart()).contains(report.timelineStart());
                assertThat(report.timelineStart().timeline()).isEqualTo(2);

                Set<Long> onNewPrimary = TakeoverWorld.ids(topology, standby);
                List<Long> lostWrites = writers.acks.stream().map(LedgerWriters.Ack::id)
                        .filter(id -> !onNewPrimary.contains(id)).toList();
                System.out.printf("FIGURE automatic SAFE failover: acknowledged writes lost %d of %d%n",
                        lostWrites.size(), writers.acks.size());
                assertThat(lostWrites).as("acknowledged writes missing on the new primary").isEmpty();
                assertThat(us.watcher().authority(P).map(Authority::epoch)).contains(2L);
            }
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    @Test
    void aStallShorterThanTheSessionTimeoutTakesNothingOver() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).synchronousReplica(EU, US).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "auto-stall", EU, US)) {
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            TakeoverWorld.Events events = world.coordinator(us, safePlan(topology, topology.replicas(EU).get(0)));
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));

            // The stall: eu-west hears nothing from ZooKeeper until its own admission has stopped, then recovers.
            Link stall = topology.zooKeeperLink(EU);
            long started = System.nanoTime();
            stall.blackhole();
            await().atMost(Duration.ofSeconds(10)).until(() -> !eu.admission().admits(P));
            stall.heal();
            long healed = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> eu.admission().admits(P));
            long resumed = System.nanoTime();
            // Long enough for a spurious takeover to show: a session timeout, the margin and two seconds more.
            Duration watch = TakeoverWorld.SESSION.plus(TakeoverWorld.MARGIN).plusSeconds(2);
            await().during(watch).atMost(watch.plusSeconds(5)).until(() -> events.all.isEmpty()
                    && admin.read(P).orElseThrow().epoch() == 1 && eu.admission().admits(P));
            System.out.printf("FIGURE stall: ZooKeeper link of eu-west silent %d ms (admission resumed %d ms after"
                    + " the heal); takeovers: %d; events: %d; watched %d s after%n", (healed - started) / 1_000_000,
                    (resumed - healed) / 1_000_000, events.of(FailoverEvent.TookOver.class).size(), events.all.size(),
                    watch.toSeconds());
            assertThat(eu.lease().holds(P)).isTrue();
            assertThat(topology.inRecovery(topology.replicas(EU).get(0))).isTrue();
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    @Test
    void safeWithoutASynchronousStandbyRefusesSaysSoAndChangesNothing() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "auto-refused", EU, US)) {
            Endpoint replica = topology.replicas(EU).get(0);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            TakeoverWorld.Events events = world.coordinator(us, new FailoverPlan(P, Failover.RecoveryPolicy.SAFE,
                    TakeoverWorld.direct(topology, replica), false,
                    List.of(TakeoverWorld.direct(topology, topology.primary(EU))), Duration.ofSeconds(2)));
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));

            world.expectLoss(eu.client());
            topology.zooKeeperLink(EU).blackhole();
            await().atMost(Duration.ofSeconds(60)).until(() -> !events.of(FailoverEvent.Refused.class).isEmpty());
            FailoverEvent.Refused refused = events.of(FailoverEvent.Refused.class).get(0);
            System.out.printf("FIGURE SAFE without a synchronous standby: %s%n", refused.reason());
            assertThat(refused.reason()).contains("synchronous standby");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                    admin.read(P).orElseThrow().epoch() == 1 && !us.admission().admits(P));
            assertThat(events.of(FailoverEvent.Refused.class)).as("told once").hasSize(1);
            assertThat(events.of(FailoverEvent.TookOver.class)).isEmpty();
            assertThat(topology.inRecovery(replica)).isTrue();
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    @Test
    void withThreeSitesExactlyOneTakesOver() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).site(AP).replicasPerSite(0)
                .replicas(EU, US, 1).replicas(EU, AP, 1).synchronousReplica(EU, US).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "auto-three", EU, US, AP)) {
            Endpoint oldPrimary = topology.primary(EU);
            Endpoint usReplica = replicaIn(topology, US);
            Endpoint apReplica = replicaIn(topology, AP);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us1 = world.router(US, "us-1");
            TakeoverWorld.Router us2 = world.router(US, "us-2");
            TakeoverWorld.Router ap = world.router(AP, "ap-1");
            TakeoverWorld.Events us1Events = world.coordinator(us1, safePlan(topology, usReplica));
            TakeoverWorld.Events us2Events = world.coordinator(us2, safePlan(topology, usReplica));
            // ap-south's replica is asynchronous: under SAFE it could not take over anyway, AVAILABLE could.
            TakeoverWorld.Events apEvents = world.coordinator(ap, new FailoverPlan(P, Failover.RecoveryPolicy.AVAILABLE,
                    TakeoverWorld.direct(topology, apReplica), false,
                    List.of(TakeoverWorld.direct(topology, oldPrimary)), Duration.ofSeconds(2)));
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));

            world.expectLoss(eu.client());
            topology.zooKeeperLink(EU).blackhole();
            topology.kill(oldPrimary);
            long lost = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> us1.admission().admits(P)
                    && us2.admission().admits(P));
            long admitted = System.nanoTime();
            List<TakeoverWorld.Events> all = List.of(us1Events, us2Events, apEvents);
            await().atMost(Duration.ofSeconds(10)).until(() -> all.stream()
                    .anyMatch(e -> !e.of(FailoverEvent.TookOver.class).isEmpty()));
            // Whoever lost a race or deferred has done so by now; nothing else may happen afterwards.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> admin.read(P).orElseThrow().epoch() == 2);
            long takeovers = all.stream().mapToLong(e -> e.of(FailoverEvent.TookOver.class).size()).sum();
            System.out.printf("FIGURE three sites: site lost -> us-east admits in %d ms; takeovers %d; events us-1 %s,"
                    + " us-2 %s, ap-1 %s%n", (admitted - lost) / 1_000_000, takeovers, kinds(us1Events),
                    kinds(us2Events), kinds(apEvents));
            assertThat(takeovers).isEqualTo(1);
            assertThat(apEvents.of(FailoverEvent.TookOver.class)).isEmpty();
            assertThat(apEvents.of(FailoverEvent.Deferred.class)).allSatisfy(d -> assertThat(d.site())
                    .isEqualTo(SiteId.of(US)));
            Authority now = admin.read(P).orElseThrow();
            assertThat(now.owner()).isEqualTo(SiteId.of(US));
            assertThat(now.epoch()).isEqualTo(2);
            assertThat(topology.inRecovery(usReplica)).isFalse();
            assertThat(topology.inRecovery(apReplica)).as("ap-south's replica was not promoted").isTrue();
            assertThat(ap.admission().admits(P)).isFalse();
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    private static Endpoint replicaIn(Topology topology, String site) {
        return topology.replicas(EU).stream().filter(e -> e.site().equals(site)).findFirst().orElseThrow();
    }

    private static List<String> kinds(TakeoverWorld.Events events) {
        return events.all.stream().map(e -> e.getClass().getSimpleName()).toList();
    }

}
