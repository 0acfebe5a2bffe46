package dev.domicile.authority;

import static dev.domicile.authority.TakeoverWorld.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Planned switchover on real servers (scenario 8): writers run throughout; afterwards every acknowledged write is read
 * back from the new primary, the write unavailability is measured, and the old primary refuses every write. A target
 * that cannot catch up aborts the switchover and leaves the partition writable at its old home. Each test gets a
 * fresh topology (an asynchronous replica of eu-west in us-east).
 */
class SwitchoverTest {

    private static final String EU = "eu-west";
    private static final String US = "us-east";

    @RegisterExtension
    final TopologyExtension topologyExtension = new TopologyExtension(EmbeddedTopology.builder()
            .site(EU).site(US).replicasPerSite(0).replicas(EU, US, 1).redis(false));

    private static Switchover.Request request(Topology topology, Duration catchUp) {
        return new Switchover.Request(P, SiteId.of(US), TakeoverWorld.direct(topology, topology.primary(EU)),
                TakeoverWorld.direct(topology, topology.replicas(EU).get(0)), Duration.ofSeconds(2), catchUp);
    }

    /** Run with the fence in either mode: the promoted replica inherits the mode and the epoch roles. */
    @ParameterizedTest(name = "fence in privileges mode: {0}")
    @ValueSource(booleans = {false, true})
    void aSwitchoverUnderLoadLosesNoAcknowledgedWrite(boolean privileges) throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint oldPrimary = topology.primary(EU);
        Endpoint target = topology.replicas(EU).get(0);
        try (TakeoverWorld world = new TakeoverWorld(topology, "switchover", EU, US)) {
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));
            TakeoverWorld.prepareLedger(topology, oldPrimary, privileges);

            Switchover.Report report;
            long switched;
            try (LedgerWriters writers = new LedgerWriters(topology, Map.of(eu, oldPrimary, us, target), 4)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(EU) >= 500);
                switched = System.nanoTime();
                report = Switchover.run(admin, request(topology, Duration.ofSeconds(30)));
                await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledgedAt(US) >= 500);
                writers.stop();

                long gap = writers.longestGapNanos(switched - 1_000_000_000L);
                System.out.printf("FIGURE switchover: writes refused for %d ms (from the moving state to the new"
                        + " authority; stopping took %d ms, catch-up %d ms); longest gap between acknowledged"
                        + " writes %d ms; acknowledged %d at eu-west, %d at us-east; admission refusals %d; failures"
                        + " %s%n", report.unavailable().toMillis(), report.writesStopped().toMillis(),
                        report.catchUp().toMillis(), gap / 1_000_000, writers.acknowledgedAt(EU),
                        writers.acknowledgedAt(US), writers.refused.sum(), writers.failures);
                assertThat(Duration.ofNanos(gap)).as("write unavailability (generous bound)")
                        .isLessThan(Duration.ofSeconds(10));

                Set<Long> onNewPrimary = TakeoverWorld.ids(topology, target);
                List<Long> lost = writers.acks.stream().map(LedgerWriters.Ack::id)
                        .filter(id -> !onNewPrimary.contains(id)).toList();
                System.out.printf("FIGURE switchover: acknowledged writes lost %d of %d%n", lost.size(),
                        writers.acks.size());
                assertThat(lost).as("acknowledged writes missing on the new primary").isEmpty();
            }
            Authority now = admin.read(P).orElseThrow();
            assertThat(now).isEqualTo(report.authority());
            assertThat(now.owner()).isEqualTo(SiteId.of(US));
            assertThat(now.epoch()).isEqualTo(2);
            assertThat(now.movingTo()).isEmpty();
            assertThat(now.timelineStart()).contains(report.timelineStart());
            assertThat(report.timelineStart().timeline()).isEqualTo(2);
            assertThat(topology.inRecovery(target)).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> us.admission().admits(P)
                    && !eu.admission().admits(P));
            assertThatThrownBy(() -> eu.admission().admit(P)).isInstanceOf(NotAuthoritativeException.class)
                    .satisfies(e -> assertThat(((NotAuthoritativeException) e).hint())
                            .isEqualTo(RetryHint.FORWARD_TO_OWNER));

            // The old primary is retired: it refuses the old epoch and the new one alike (in privileges mode at the
            // stamp already).
            for (long epoch : new long[] {1, 2}) {
                try (Connection c = topology.connect(oldPrimary); Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> {
                        s.execute(Fence.stampSql(epoch));
                        s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (-1, -1)");
                    }).isInstanceOf(SQLException.class).hasMessageContaining("older than the fence");
                }
            }
            try (Connection c = topology.connect(target)) {
                assertThat(Fence.usesPrivileges(c)).as("mode on the new primary").isEqualTo(privileges);
            }
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    @Test
    void aTargetThatCannotCatchUpAbortsAndTheOldHomeKeepsWriting() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint oldPrimary = topology.primary(EU);
        Endpoint target = topology.replicas(EU).get(0);
        try (TakeoverWorld world = new TakeoverWorld(topology, "switchover-abort", EU, US)) {
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P));
            TakeoverWorld.prepareLedger(topology, oldPrimary);
            topology.pauseReplay(target);

            assertThatThrownBy(() -> Switchover.run(admin, request(topology, Duration.ofSeconds(1))))
                    .isInstanceOf(SwitchoverAbortedException.class).hasMessageContaining("did not replay");
            Authority now = admin.read(P).orElseThrow();
            assertThat(now.owner()).isEqualTo(SiteId.of(EU));
            assertThat(now.epoch()).isEqualTo(2);
            assertThat(now.movingTo()).isEmpty();
            assertThat(topology.inRecovery(target)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> eu.admission().admits(P)
                    && eu.admission().admit(P).epoch() == 2);
            try (Connection c = topology.connect(oldPrimary); Statement s = c.createStatement()) {
                s.execute(Fence.stampSql(2));
                assertThat(s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (0, 1)")).isEqualTo(1);
                s.execute(Fence.stampSql(1));
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO ledger (writer, amount) VALUES (0, 2)"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("older than the fence");
            }
            topology.resumeReplay(target);
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    @Test
    void whileMovingNoRouterAdmitsAndAnAbortResumesTheOwnerAtTheNextEpoch() throws Exception {
        Topology topology = topologyExtension.topology();
        try (TakeoverWorld world = new TakeoverWorld(topology, "moving", EU, US)) {
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.Router eu = world.router(EU, "eu-1");
            TakeoverWorld.Router us = world.router(US, "us-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(P) && eu.lease().holds(P));

            Authority moving = admin.beginMove(P, SiteId.of(US), 1);
            assertThat(moving.movingTo()).contains(SiteId.of(US));
            assertThat(moving.epoch()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> !eu.admission().admits(P));
            for (TakeoverWorld.Router router : List.of(eu, us)) {
                assertThatThrownBy(() -> router.admission().admit(P)).isInstanceOf(NotAuthoritativeException.class)
                        .hasMessageContaining("planned switchover")
                        .satisfies(e -> assertThat(((NotAuthoritativeException) e).hint())
                                .isEqualTo(RetryHint.RETRY_LATER));
            }
            assertThat(eu.lease().holds(P)).as("the owner keeps its lease while moving").isTrue();
            assertThatThrownBy(() -> admin.beginMove(P, SiteId.of(US), 1))
                    .isInstanceOf(AuthorityConflictException.class).hasMessageContaining("already moving");

            Authority back = admin.abortMove(P, 1, "test");
            assertThat(back.owner()).isEqualTo(SiteId.of(EU));
            assertThat(back.epoch()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> eu.admission().admits(P)
                    && eu.admission().admit(P).epoch() == 2);
            assertThat(world.uninjectedLosses()).isZero();
        }
    }
}
