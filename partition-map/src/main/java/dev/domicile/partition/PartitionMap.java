package dev.domicile.partition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable, versioned snapshot of where every user lives. {@link #homeOf(String, Map)} resolves in layers, first
 * match wins: (1) an explicit assignment of the user key, (2) the first matching {@link Rule}, (3) a stable weighted
 * hash of the key over all partitions.
 *
 * <p>Thread-safe (immutable). Lookups do not allocate. Explicit assignments are kept as 128-bit fingerprints of the
 * keys (about 23 bytes each), not as the keys themselves, so the keys cannot be listed from a snapshot.
 *
 * <pre>{@code
 * PartitionMap map = PartitionMap.of(PartitionMapDefinition.builder()
 *         .sites("eu-west", "us-east")
 *         .partition(Partition.of("eu", "eu-west", "us-east"))
 *         .partition(Partition.of("us", "us-east", "eu-west"))
 *         .rule(new Rule.Attribute("country", Set.of("DE", "FR"), PartitionId.of("eu")))
 *         .assign("alice", "us")
 *         .build());
 * Home home = map.homeOf("bob", Map.of("country", "DE"));   // eu, Source.RULE
 * }</pre>
 */
public final class PartitionMap {

    private static final int SOURCES = 3;
    /** Codes from {@link Resolver}: below this, an assigned partition index; from it on, a hashed one. */
    private static final int HASHED = 256;

    private final PartitionMapDefinition header;
    private final Assignments assignments;
    private final HashSlots slots;
    private final Rule[] rules;
    private final int[] ruleTargets;
    private final Home[] homes;
    private final Map<PartitionId, Integer> indexes;
    private final int partitionCount;
    private final Resolver resolver;

    PartitionMap(PartitionMapDefinition header, Assignments assignments, HashSlots slots) {
        this.header = header;
        this.assignments = assignments;
        this.slots = slots;
        List<Partition> partitions = header.partitions();
        partitionCount = partitions.size();
        indexes = new HashMap<>();
        homes = new Home[SOURCES * partitions.size()];
        for (int p = 0; p < partitions.size(); p++) {
            indexes.put(partitions.get(p).id(), p);
            for (Home.Source source : Home.Source.values()) {
                homes[source.ordinal() * partitions.size() + p] = new Home(partitions.get(p), header.version(), source);
            }
        }
        resolver = new Resolver(assignments, slots);
        rules = header.rules().toArray(new Rule[0]);
        ruleTargets = new int[rules.length];
        for (int r = 0; r < rules.length; r++) {
            ruleTargets[r] = indexes.get(rules[r].partition());
        }
    }

    /**
     * Compiles a definition into a snapshot.
     *
     * @throws IllegalStateException in the astronomically unlikely case that two assigned keys share a 128-bit
     *                               fingerprint
     */
    public static PartitionMap of(PartitionMapDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        PartitionMapDefinition header = definition.withoutAssignments();
        Map<PartitionId, Integer> indexes = indexesOf(header.partitions());
        Assignments.Builder builder = new Assignments.Builder(Assignments.DEFAULT_SHARDS);
        definition.assignments().forEach((key, partition) -> builder.add(key, indexes.get(partition)));
        return new PartitionMap(header, builder.build(), HashSlots.of(header.partitions()));
    }

    static Map<PartitionId, Integer> indexesOf(List<Partition> partitions) {
        Map<PartitionId, Integer> indexes = new HashMap<>();
        for (int p = 0; p < partitions.size(); p++) {
            indexes.put(partitions.get(p).id(), p);
        }
        return indexes;
    }

    /** This map's version: every accepted change adds one. */
    public long version() {
        return header.version();
    }

    /** The sites, in a stable order. */
    public List<SiteId> sites() {
        return header.sites();
    }

    /** The partitions, in a stable order. */
    public List<Partition> partitions() {
        return header.partitions();
    }

    /** The rules, in the order they are tried. */
    public List<Rule> rules() {
        return header.rules();
    }

    /** How many users are assigned explicitly. */
    public long assignmentCount() {
        return assignments.size();
    }

    /** The partition named {@code id}. @throws IllegalArgumentException if the map has none */
    public Partition partition(PartitionId id) {
        Integer index = indexes.get(id);
        if (index == null) {
            throw new IllegalArgumentException("map version " + version() + " has no partition " + id
                    + "; partitions: " + indexes.keySet());
        }
        return header.partitions().get(index);
    }

    /** {@link #homeOf(String, Map)} for a caller that knows no attributes. */
    public Home homeOf(String userKey) {
        return homeOf(userKey, Map.of());
    }

    /**
     * The home of a user. Never allocates.
     *
     * @param userKey    the user's key; see {@link UserKeys} for the rules
     * @param attributes what the caller knows about the user for {@link Rule.Attribute}, e.g. {@code country}
     * @throws InvalidUserKeyException if the key breaks a rule of {@link UserKeys}
     */
    public Home homeOf(String userKey, Map<String, String> attributes) {
        int code = (int) KeyHash.hash(userKey, resolver);
        int partitions = partitionCount;
        if (code < HASHED) {
            return homes[code];
        }
        Rule[] rs = rules;
        for (int r = 0; r < rs.length; r++) {
            if (rs[r].matches(userKey, attributes)) {
                return homes[partitions + ruleTargets[r]];
            }
        }
        return homes[2 * partitions + code - HASHED];
    }

    /**
     * Looks a hashed key up in the assignments and the hash slots at once (the key is read only once, and the rules
     * are consulted afterwards only if it is not assigned).
     */
    private record Resolver(Assignments assignments, HashSlots slots) implements KeyHash.Sink {
        @Override
        public long accept(long routing, long check) {
            int assigned = assignments.find(routing, check);
            return assigned >= 0 ? assigned : HASHED + slots.partitionIndex(routing);
        }
    }

    PartitionMapDefinition header() {
        return header;
    }

    Assignments assignments() {
        return assignments;
    }

    HashSlots slots() {
        return slots;
    }

    int partitionIndex(PartitionId id) {
        Integer index = indexes.get(id);
        return index == null ? -1 : index;
    }

    @Override
    public String toString() {
        return "PartitionMap[version " + version() + ", " + header.partitions().size() + " partitions, "
                + header.rules().size() + " rules, " + assignments.size() + " assignments]";
    }
}
