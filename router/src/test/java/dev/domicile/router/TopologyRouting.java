package dev.domicile.router;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Router configuration for a testkit topology, as seen from one site (through that site's fault proxies). */
public final class TopologyRouting {

    private TopologyRouting() {
    }

    public static RouterConfig.Builder config(Topology topology, String localSite) {
        RouterConfig.Builder builder = RouterConfig.builder()
                .localSite(SiteId.of(localSite))
                .probeInterval(Duration.ofMillis(100))
                .probeTimeout(Duration.ofSeconds(1))
                .maxDownBackoff(Duration.ofSeconds(1))
                .connectionTimeout(Duration.ofSeconds(2))
                .maxPoolSize(4);
        for (Endpoint e : topology.endpoints()) {
            builder.endpoint(new EndpointConfig(e.name(), PartitionId.of(e.partition()), SiteId.of(e.site()),
                    e.role() == dev.domicile.testkit.Role.PRIMARY ? Role.PRIMARY : Role.REPLICA,
                    topology.jdbcUrl(localSite, e), null, null));
        }
        return builder;
    }

    /** Each site's home partition is named like the site; {@code assignments} pin users to partitions. */
    public static PartitionMap map(Topology topology, Map<String, String> assignments) {
        List<SiteId> sites = topology.sites().stream().map(SiteId::of).toList();
        List<Partition> partitions = topology.sites().stream()
                .map(s -> Partition.of(topology.homePartition(s), s)).toList();
        Map<String, PartitionId> pinned = new java.util.HashMap<>();
        assignments.forEach((user, partition) -> pinned.put(user, PartitionId.of(partition)));
        return PartitionMap.of(new PartitionMapDefinition(1, sites, partitions, List.of(), pinned));
    }
}
