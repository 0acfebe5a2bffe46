package dev.domicile.sample;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.Rule;
import dev.domicile.testkit.Topology;
import java.util.List;
import java.util.Locale;

/**
 * Where the demo's users live: a user key starting with a region's prefix (the region's name up to its first
 * {@code -}, plus {@code -}; {@code eu-} for {@code eu-west}) is homed in that region's partition, by a prefix rule
 * of the partition map; any other key by the map's weighted hash.
 */
public final class Homes {

    private Homes() {
    }

    /** The user-key prefix of the users homed in {@code region}: {@code "eu-"} for {@code "eu-west"}. */
    public static String prefix(String region) {
        int dash = region.indexOf('-');
        return (dash < 0 ? region : region.substring(0, dash)).toLowerCase(Locale.ROOT) + "-";
    }

    /** A user key homed in {@code region}, e.g. {@code eu-user-7}. */
    public static String user(String region, String name) {
        return prefix(region) + name;
    }

    /**
     * The partition map of {@code topology}: every site's home partition, failing over to the other sites, and one
     * prefix rule per site.
     *
     * @throws IllegalArgumentException if two sites share a prefix
     */
    static PartitionMapDefinition definition(Topology topology) {
        List<String> sites = topology.sites();
        if (sites.stream().map(Homes::prefix).distinct().count() != sites.size()) {
            throw new IllegalArgumentException("the sites " + sites + " must have distinct prefixes (the name up to"
                    + " the first '-')");
        }
        var builder = PartitionMapDefinition.builder().sites(sites.toArray(String[]::new));
        for (String site : sites) {
            String partition = topology.homePartition(site);
            builder.partition(Partition.of(partition, site,
                    sites.stream().filter(s -> !s.equals(site)).toArray(String[]::new)));
            builder.rule(new Rule.Prefix(prefix(site), PartitionId.of(partition)));
        }
        return builder.build();
    }
}
