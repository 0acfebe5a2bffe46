package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.EndpointState;
import dev.domicile.router.Role;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How replica lag and freshness are told from the monitor's states. */
class EndpointViewTest {

    private static final long NOW = 1_000_000_000_000L;
    private static final EndpointConfig PRIMARY = endpoint("eu-primary", "eu-west", Role.PRIMARY);
    private static final EndpointConfig LOCAL = endpoint("eu-replica-us", "us-east", Role.REPLICA);
    private static final EndpointConfig HOME = endpoint("eu-replica-eu", "eu-west", Role.REPLICA);

    private static EndpointConfig endpoint(String name, String site, Role role) {
        return new EndpointConfig(name, PartitionId.of("eu"), SiteId.of(site), role, "jdbc:postgresql://h/db", null,
                null);
    }

    private static EndpointState state(EndpointConfig endpoint, EndpointState.Health health, long lsn,
                                       long replayedMicros) {
        return new EndpointState(endpoint, health, endpoint.role() == Role.REPLICA, lsn, replayedMicros, 0, 0, null);
    }

    @Test
    void aReplicaThatReachedThePrimarysPositionHasNoLag() {
        EndpointState primary = state(PRIMARY, EndpointState.Health.UP, 500, 0);
        EndpointState replica = state(LOCAL, EndpointState.Health.UP, 500, NOW - 60_000_000);
        assertThat(EndpointView.lag(replica, Optional.of(primary), NOW)).contains(Duration.ZERO);
    }

    @Test
    void aReplicaBehindIsAsStaleAsItsLastReplayedCommit() {
        EndpointState primary = state(PRIMARY, EndpointState.Health.UP, 900, 0);
        EndpointState replica = state(LOCAL, EndpointState.Health.UP, 500, NOW - 3_000_000);
        assertThat(EndpointView.lag(replica, Optional.of(primary), NOW)).contains(Duration.ofSeconds(3));
        assertThat(EndpointView.lag(state(LOCAL, EndpointState.Health.UP, 500, 0), Optional.of(primary), NOW))
                .as("never replayed a commit: unknown").isEmpty();
    }

    @Test
    void aPrimaryOrAReplicaThatIsNotUpHasNoLag() {
        EndpointState primary = state(PRIMARY, EndpointState.Health.UP, 500, 0);
        assertThat(EndpointView.lag(primary, Optional.of(primary), NOW)).isEmpty();
        assertThat(EndpointView.lag(state(LOCAL, EndpointState.Health.DOWN, 500, NOW), Optional.of(primary), NOW))
                .isEmpty();
    }

    @Test
    void theServiceOfAPartitionCountsOnlyLocalReplicasAndTheirFreshness() {
        List<EndpointState> states = List.of(state(PRIMARY, EndpointState.Health.DOWN, 900, 0),
                state(LOCAL, EndpointState.Health.UP, 500, NOW - 20_000_000),
                state(HOME, EndpointState.Health.UP, 900, NOW));
        PartitionService service = PartitionService.of(Partition.of("eu", "eu-west"), SiteId.of("us-east"), states,
                NOW, Duration.ofSeconds(10));
        assertThat(service).isEqualTo(new PartitionService("eu", "eu-west", false, 1, 1, 0));
        assertThat(PartitionService.of(Partition.of("eu", "eu-west"), SiteId.of("us-east"), states, NOW,
                Duration.ofSeconds(30)).localReplicasFresh()).isEqualTo(1);
    }

    /**
     * After a failover the configured primary is down (or back but retired) and a replica was promoted: the partition
     * still has a database to write when the router follows promotions, and only then; two promoted ones do not count.
     */
    @Test
    void aPromotedReplicaIsThePartitionsPrimaryWhenTheRouterFollowsPromotions() {
        EndpointState promoted = new EndpointState(LOCAL, EndpointState.Health.WRONG_ROLE, false, 900, 0, 0, 0,
                "configured as REPLICA but it is not in recovery");
        EndpointState retiredOld = new EndpointState(PRIMARY, EndpointState.Health.UP, false, 800, 0, 0, 0, null,
                true);
        Partition eu = Partition.of("eu", "eu-west");
        for (EndpointState old : List.of(state(PRIMARY, EndpointState.Health.DOWN, 800, 0), retiredOld)) {
            List<EndpointState> states = List.of(old, promoted, state(HOME, EndpointState.Health.UP, 700, NOW));
            assertThat(PartitionService.of(eu, SiteId.of("us-east"), states, NOW, Duration.ofSeconds(10), true)
                    .primaryUsable()).as("old primary %s", old).isTrue();
            assertThat(PartitionService.of(eu, SiteId.of("us-east"), states, NOW, Duration.ofSeconds(10), false)
                    .primaryUsable()).as("without authority, old primary %s", old).isFalse();
        }
        EndpointState secondPromoted = new EndpointState(HOME, EndpointState.Health.WRONG_ROLE, false, 900, 0, 0, 0,
                "configured as REPLICA but it is not in recovery");
        assertThat(PartitionService.of(eu, SiteId.of("us-east"), List.of(retiredOld, promoted, secondPromoted), NOW,
                Duration.ofSeconds(10), true).primaryUsable()).as("two promoted: a split brain").isFalse();
    }

    @Test
    void positionsAreShownAsPostgresLsns() {
        EndpointState primary = state(PRIMARY, EndpointState.Health.UP, 0x1_0000_00A8L, 0);
        assertThat(EndpointView.of(List.of(primary), NOW)).singleElement()
                .satisfies(view -> assertThat(view.lsn()).isEqualTo("1/A8"));
    }
}
