package dev.domicile.benchmarks;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.Role;
import dev.domicile.router.RouterConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Three sites over the stub driver, and a partition map with explicitly assigned users, for router benchmarks. */
final class StubRouting {

    static final List<String> SITES = List.of("eu-west", "us-east", "ap-south");

    private StubRouting() {
    }

    /** The router at {@code localSite}: each partition has a primary and a replica in every site. */
    static RouterConfig config(String localSite, int maxPoolSize) {
        RouterConfig.Builder builder = RouterConfig.builder().localSite(SiteId.of(localSite))
                .probeInterval(Duration.ofSeconds(1)).maxPoolSize(maxPoolSize);
        for (String partition : SITES) {
            builder.endpoint(new EndpointConfig(partition + "-primary", PartitionId.of(partition),
                    SiteId.of(partition), Role.PRIMARY, StubDriver.PRIMARY_URL, null, null));
            for (String site : SITES) {
                builder.endpoint(new EndpointConfig(partition + "-replica-" + site, PartitionId.of(partition),
                        SiteId.of(site), Role.REPLICA, StubDriver.REPLICA_URL, null, null));
            }
        }
        return builder.build();
    }

    static String userKey(int i) {
        return "user-" + i;
    }

    /** A map in which users {@code 0..assigned-1} are assigned round-robin to the three partitions. */
    static PartitionMap map(int assigned) {
        Map<String, PartitionId> assignments = new HashMap<>(assigned * 2);
        for (int i = 0; i < assigned; i++) {
            assignments.put(userKey(i), PartitionId.of(SITES.get(i % SITES.size())));
        }
        return PartitionMap.of(new PartitionMapDefinition(1, SITES.stream().map(SiteId::of).toList(),
                SITES.stream().map(s -> Partition.of(s, s)).toList(), List.of(), assignments));
    }
}
