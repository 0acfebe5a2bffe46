package dev.domicile.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Describes a topology and starts it. Not thread-safe; {@link #build()} validates and snapshots, so a builder can be
 * reused.
 *
 * <pre>{@code
 * try (Topology topology = EmbeddedTopology.builder()
 *         .site("eu-west").site("us-east").site("ap-south")
 *         .replicasPerSite(1)                      // one local replica of each home partition
 *         .replicas("eu-west", "us-east", 1)       // and a cross-region replica of eu-west in us-east
 *         .start()) {
 *     Endpoint primary = topology.primary("eu-west");
 *     ...
 * }
 * }</pre>
 */
public final class TopologyBuilder {

    /** Site and partition names: lower-case letters, digits and dashes, starting with a letter, at most 32. */
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final List<TopologySpec.Site> sites = new ArrayList<>();
    private final List<TopologySpec.Replica> replicas = new ArrayList<>();
    private int replicasPerSite = 1;
    private int zooKeeperServers = 1;
    private boolean redis = true;
    private Path workDirectory;
    private TopologyProvider provider;
    private final java.util.Map<String, String> synchronousReplicaSites = new java.util.LinkedHashMap<>();

    TopologyBuilder() {
    }

    /** Adds a site whose home partition has the site's name. */
    public TopologyBuilder site(String name) {
        return site(name, name);
    }

    /** Adds a site with a home partition named {@code homePartition}. */
    public TopologyBuilder site(String name, String homePartition) {
        sites.add(new TopologySpec.Site(name, homePartition));
        return this;
    }

    /** How many replicas of each home partition run in its own site (default 1; 0 for none). */
    public TopologyBuilder replicasPerSite(int count) {
        this.replicasPerSite = count;
        return this;
    }

    /** Places {@code count} further replicas of {@code partition} in {@code site} (e.g. a cross-region replica). */
    public TopologyBuilder replicas(String partition, String site, int count) {
        replicas.add(new TopologySpec.Replica(partition, site, count));
        return this;
    }

    /**
     * Makes {@code partition}'s first replica in {@code site} its primary's synchronous standby
     * ({@code synchronous_standby_names}): a commit on the primary returns only once that replica has the WAL. While
     * that replica is down or cut off, commits on the primary wait.
     */
    public TopologyBuilder synchronousReplica(String partition, String site) {
        synchronousReplicaSites.put(partition, site);
        return this;
    }

    /** How many ZooKeeper servers: 1 (a {@code TestingServer}, the default) or an odd ensemble of 3 or 5. */
    public TopologyBuilder zooKeeperServers(int count) {
        this.zooKeeperServers = count;
        return this;
    }

    /** Whether each site gets a Redis (default true). */
    public TopologyBuilder redis(boolean enabled) {
        this.redis = enabled;
        return this;
    }

    /**
     * Where data directories go: the topology makes a fresh subdirectory there and deletes it on close. Default:
     * {@code java.io.tmpdir}.
     */
    public TopologyBuilder workDirectory(Path directory) {
        this.workDirectory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /** Which provider runs the databases (default: {@link TopologyProvider#fromSystemProperty()}). */
    public TopologyBuilder provider(TopologyProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
        return this;
    }

    /**
     * Validates the description.
     *
     * @throws IllegalArgumentException naming the problem: no sites, a bad or duplicate name, a replica of an unknown
     *                                  partition or in an unknown site, a negative replica count, a bad ensemble size,
     *                                  or replicas asked of a provider that cannot make them
     */
    TopologySpec build() {
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("a topology needs at least one site; call site(name)");
        }
        Set<String> siteNames = new HashSet<>();
        Set<String> partitionNames = new HashSet<>();
        for (TopologySpec.Site site : sites) {
            checkName("site", site.name());
            checkName("partition", site.partition());
            if (!siteNames.add(site.name())) {
                throw new IllegalArgumentException("duplicate site name '" + site.name() + "'");
            }
            if (!partitionNames.add(site.partition())) {
                throw new IllegalArgumentException("duplicate partition name '" + site.partition() + "'");
            }
        }
        if (replicasPerSite < 0) {
            throw new IllegalArgumentException("replicasPerSite must be >= 0, was " + replicasPerSite);
        }
        List<TopologySpec.Replica> placements = new ArrayList<>();
        if (replicasPerSite > 0) {
            sites.forEach(s -> placements.add(new TopologySpec.Replica(s.partition(), s.name(), replicasPerSite)));
        }
        for (TopologySpec.Replica replica : replicas) {
            if (!partitionNames.contains(replica.partition())) {
                throw new IllegalArgumentException("replica of unknown partition '" + replica.partition()
                        + "'; known partitions: " + partitionNames);
            }
            if (!siteNames.contains(replica.site())) {
                throw new IllegalArgumentException("replica of '" + replica.partition() + "' placed in unknown site '"
                        + replica.site() + "'; known sites: " + siteNames);
            }
            if (replica.count() < 0) {
                throw new IllegalArgumentException("replica count for '" + replica.partition() + "' in '"
                        + replica.site() + "' must be >= 0, was " + replica.count());
            }
            placements.add(replica);
        }
        synchronousReplicaSites.forEach((partition, site) -> {
            boolean placed = placements.stream().anyMatch(r -> r.partition().equals(partition)
                    && r.site().equals(site) && r.count() > 0);
            if (!placed) {
                throw new IllegalArgumentException("synchronous replica of '" + partition + "' in '" + site
                        + "': no replica of that partition is placed in that site");
            }
        });
        if (zooKeeperServers != 1 && zooKeeperServers != 3 && zooKeeperServers != 5) {
            throw new IllegalArgumentException("zooKeeperServers must be 1, 3 or 5, was " + zooKeeperServers);
        }
        TopologyProvider chosen = provider != null ? provider : TopologyProvider.fromSystemProperty();
        boolean anyReplica = placements.stream().anyMatch(r -> r.count() > 0);
        if (chosen != TopologyProvider.EMBEDDED && anyReplica) {
            throw new IllegalArgumentException("provider " + chosen.key() + " runs primaries only; ask for no replicas"
                    + " (replicasPerSite(0)) or use the embedded provider");
        }
        return new TopologySpec(sites, placements, zooKeeperServers, redis, workDirectory, chosen,
                synchronousReplicaSites);
    }

    /** Validates and starts the topology; on failure everything already started is stopped again. */
    public Topology start() {
        TopologySpec spec = build();
        return spec.provider() == TopologyProvider.EMBEDDED
                ? EmbeddedTopology.start(spec)
                : ContainerTopology.start(spec);
    }

    private static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name + "' is invalid: use 1 to 32 lower-case"
                    + " letters, digits and dashes, starting with a letter");
        }
    }
}
