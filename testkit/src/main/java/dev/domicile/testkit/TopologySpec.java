package dev.domicile.testkit;

import java.nio.file.Path;
import java.util.List;

/** The validated, immutable description a {@link TopologyBuilder} produces. */
record TopologySpec(List<Site> sites, List<Replica> replicas, int zooKeeperServers, boolean redis, Path workDirectory,
                    TopologyProvider provider, java.util.Map<String, String> synchronousReplicaSites) {

    /** A site and its home partition. */
    record Site(String name, String partition) {
    }

    /** {@code count} replicas of {@code partition} placed in {@code site}. */
    record Replica(String partition, String site, int count) {
    }

    TopologySpec {
        sites = List.copyOf(sites);
        replicas = List.copyOf(replicas);
        synchronousReplicaSites = java.util.Map.copyOf(synchronousReplicaSites);
    }

    String homeSite(String partition) {
        return sites.stream().filter(s -> s.partition().equals(partition)).findFirst().orElseThrow().name();
    }
}
