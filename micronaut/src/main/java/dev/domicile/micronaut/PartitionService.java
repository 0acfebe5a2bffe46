package dev.domicile.micronaut;

import dev.domicile.partition.Partition;
import dev.domicile.partition.SiteId;
import dev.domicile.router.EndpointState;
import dev.domicile.router.Role;
import java.time.Duration;
import java.util.List;

/**
 * What this site can serve of one partition, as the health indicator reports it.
 *
 * @param partition          the partition
 * @param homeSite           its home site
 * @param primaryUsable      whether the partition has a database to write: its configured primary up in the primary
 *                           role and not retired by the fence; or, when the router follows promotions (authority
 *                           on), the one database configured as a replica that is up, out of recovery and not
 *                           retired (promoted by a failover), as the router itself would choose
 * @param localReplicas      replicas of it configured in the local site
 * @param localReplicasUp    of those, how many are up in the replica role
 * @param localReplicasFresh of those up, how many are fresh (lag within {@code domicile.health.max-replica-lag})
 */
record PartitionService(String partition, String homeSite, boolean primaryUsable, int localReplicas,
                        int localReplicasUp, int localReplicasFresh) {

    /** The service of {@code partition} at {@code localSite}, without following promotions. */
    static PartitionService of(Partition partition, SiteId localSite, List<EndpointState> states, long nowMicros,
                               Duration maxLag) {
        return of(partition, localSite, states, nowMicros, maxLag, false);
    }

    /**
     * The service of {@code partition} at {@code localSite}, from the monitor's {@code states}.
     *
     * @param followsPromotion whether the router writes to a promoted replica when the configured primary cannot
     */
    static PartitionService of(Partition partition, SiteId localSite, List<EndpointState> states, long nowMicros,
                               Duration maxLag, boolean followsPromotion) {
        List<EndpointState> mine = states.stream()
                .filter(s -> s.endpoint().partition().equals(partition.id())).toList();
        EndpointState primary = mine.stream().filter(s -> s.endpoint().role() == Role.PRIMARY).findFirst()
                .orElse(null);
        List<EndpointState> local = mine.stream().filter(s -> s.endpoint().role() == Role.REPLICA)
                .filter(s -> s.endpoint().site().equals(localSite)).toList();
        int up = (int) local.stream().filter(EndpointState::usable).count();
        int fresh = (int) local.stream()
                .filter(s -> EndpointView.lag(s, java.util.Optional.ofNullable(primary), nowMicros)
                        .filter(lag -> lag.compareTo(maxLag) <= 0).isPresent())
                .count();
        boolean primaryUsable = primary != null && primary.usable() && !primary.retired();
        if (!primaryUsable && followsPromotion) {
            primaryUsable = mine.stream().filter(st -> st.endpoint().role() == Role.REPLICA)
                    .filter(st -> (st.usable() || st.health() == EndpointState.Health.WRONG_ROLE)
                            && !st.inRecovery() && !st.retired())
                    .count() == 1;
        }
        return new PartitionService(partition.id().value(), partition.home().value(), primaryUsable, local.size(),
                up, fresh);
    }
}
