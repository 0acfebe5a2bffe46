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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * AVAILABLE failover within a declared lag bound, on a real replica that really lags: its WAL stream from the primary
 * is cut (the testkit's proxy blackholes it) while the primary keeps writing. A candidate further behind the last
 * known primary position than the bound is refused — by {@link Failover#run} and by the coordinator, whose event
 * names the lag and the bound — and nothing changes; within the bound it is promoted and the possibly lost range is
 * reported.
 */
class AvailableLagBoundTest {

    private static final String EU = "eu-west";
    private static final String US = "us-east";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration FENCE_WAIT = Duration.ofSeconds(2);

    @Test
    void aCandidateBeyondTheBoundIsRefusedAndOneWithinItIsPromoted() throws Exception {
        try (Topology topology = EmbeddedTopology.builder().site(EU).site(US).replicasPerSite(0)
                .replicas(EU, US, 1).redis(false).start();
             TakeoverWorld world = new TakeoverWorld(topology, "lag-bound", EU, US)) {
            Endpoint primary = topology.primary(EU);
            Endpoint replica = topology.replicas(EU).get(0);
            Link walStream = topology.link(US, primary);
            AuthorityStore admin = world.admin();
            admin.initialize(P, SiteId.of(EU));
            TakeoverWorld.prepareLedger(topology, primary);
            try {
                long caughtUpTo = primaryLsn(topology, primary);
                await().atMost(WAIT).until(() -> Long.compareUnsigned(received(topology, replica), caughtUpTo) >= 0);
                walStream.blackhole();
                try (Connection c = topology.connect(primary); Statement s = c.createStatement()) {
                    s.execute(Fence.stampSql(1));
                    s.executeUpdate("INSERT INTO ledger (writer, amount) SELECT 1, g FROM generate_series(1, 5000) g");
                }
                long known = primaryLsn(topology, primary);
                long received = received(topology, replica);
                long lag = known - received;
                System.out.printf("FIGURE replica cut off from the WAL stream: received %s, primary at %s, lag %d"
                        + " bytes%n", Wal.format(received), Wal.format(known), lag);
                assertThat(lag).as("real lag").isGreaterThan(100_000);

                // No eu-west router holds the lease: us-east may take over once the safety margin has passed.
                TakeoverWorld.Router us = world.router(US, "us-1");
                TakeoverWorld.Events events = world.coordinator(us, new FailoverPlan(P,
                        Failover.RecoveryPolicy.AVAILABLE, TakeoverWorld.direct(topology, replica), false,
                        List.of(TakeoverWorld.direct(topology, primary)), () -> known, FENCE_WAIT,
                        Failover.LagBound.ofBytes(64 * 1024)));
                await().atMost(WAIT).until(() -> !events.of(FailoverEvent.Refused.class).isEmpty());
                String reason = events.of(FailoverEvent.Refused.class).get(0).reason();
                System.out.printf("FIGURE AVAILABLE beyond its lag bound: %s%n", reason);
                assertThat(reason).matches(".*received WAL up to [0-9A-F]+/[0-9A-F]+, [0-9]+ bytes behind the last known"
                        + " primary position " + Wal.format(known) + ", more than the lag bound of 65536 bytes.*");
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                        admin.read(P).orElseThrow().epoch() == 1 && !us.admission().admits(P));
                assertThat(events.of(FailoverEvent.TookOver.class)).isEmpty();
                assertThat(topology.inRecovery(replica)).isTrue();

                assertThatThrownBy(() -> Failover.run(admin, us.watcher(), request(topology, replica, primary, 0,
                        Failover.LagBound.ofBytes(lag))))
                        .as("a bound with an unknown primary position").isInstanceOf(FailoverRefusedException.class)
                        .hasMessageContaining("cannot be measured");
                assertThatThrownBy(() -> Failover.run(admin, us.watcher(), request(topology, replica, primary, known,
                        Failover.LagBound.ofBytes(lag / 2))))
                        .isInstanceOf(FailoverRefusedException.class).hasMessageContaining(" bytes behind")
                        .hasMessageContaining("lag bound of " + (lag / 2) + " bytes");
                assertThat(admin.read(P).orElseThrow().epoch()).isEqualTo(1);
                assertThat(topology.inRecovery(replica)).isTrue();

                Failover.Report report = Failover.run(admin, us.watcher(), request(topology, replica, primary, known,
                        Failover.LagBound.ofBytes(lag)));
                assertThat(report.authority().owner()).isEqualTo(SiteId.of(US));
                assertThat(report.authority().epoch()).isEqualTo(2);
                assertThat(report.authority().phase()).isEqualTo(Authority.Phase.ACTIVE);
                assertThat(report.mayLose()).contains("(" + Wal.format(received) + ", " + Wal.format(known) + "]");
                assertThat(topology.inRecovery(replica)).isFalse();
                await().atMost(WAIT).until(() -> us.admission().admits(P));
            } finally {
                walStream.heal();
            }
            assertThatThrownBy(() -> new Failover.LagBound(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxBytes = -1");
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    private static Failover.Request request(Topology topology, Endpoint candidate, Endpoint oldPrimary, long known,
            Failover.LagBound bound) {
        return new Failover.Request(P, SiteId.of(US), TakeoverWorld.direct(topology, candidate), false,
                List.of(TakeoverWorld.direct(topology, oldPrimary)), Failover.RecoveryPolicy.AVAILABLE, known,
                FENCE_WAIT, bound);
    }

    private static long primaryLsn(Topology topology, Endpoint primary) throws SQLException {
        try (Connection c = topology.connect(primary)) {
            return Wal.current(c);
        }
    }

    private static long received(Topology topology, Endpoint replica) throws SQLException {
        try (Connection c = topology.connect(replica)) {
            return Wal.parse(Wal.query(c, "SELECT pg_last_wal_receive_lsn()::text"));
        }
    }
}
