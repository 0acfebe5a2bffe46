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
 * @param primaryUsable      whether the monitor reports its primary up in the primary role
 * @param localReplicas      replicas of it configured in the local site
 * @param localReplicasUp    of those, how many are up in the replica role
 * @param localReplicasFresh of those up, how many are fresh (lag within {@code domicile.health.max-replica-lag})
 */
record PartitionService(String partition, String homeSite, boolean primaryUsable, int localReplicas,
                        int localReplicasUp, int localReplicasFresh) {

    /** The service of {@code partition} at {@code localSite}, from the monitor's {@code states}. */
    static PartitionService of(Partition partition, SiteId localSite, List<EndpointState> states, long nowMicros,
                               Duration maxLag) {
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
        return new PartitionService(partition.id().value(), partition.home().value(),
                primary != null && primary.usable(), local.size(), up, fresh);
    }
}
