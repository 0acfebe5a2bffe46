package dev.domicile.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The full content of a partition map, validated: what stores persist and {@link PartitionMap#of} compiles.
 *
 * <p>Rules enforced on construction (the message names the offending value and the rule): at least one site and one
 * partition; at most {@value #MAX_PARTITIONS} partitions; no duplicate site or partition; every home and failover site
 * is a listed site; every rule and assignment names a listed partition; attribute rules on the same attribute share no
 * value; no prefix rule's prefix starts with another's; every assigned user key is valid ({@link UserKeys}).
 *
 * @param version     the map version, at least 1; every accepted change adds one
 * @param sites       the sites, in a stable order
 * @param partitions  the partitions, in a stable order (new partitions are appended)
 * @param rules       the rules, tried in this order
 * @param assignments explicit assignments, user key to partition
 * @throws InvalidPartitionMapException if a rule above is broken
 */
public record PartitionMapDefinition(long version, List<SiteId> sites, List<Partition> partitions, List<Rule> rules,
        Map<String, PartitionId> assignments) {

    /** The most partitions a map may hold (partition indexes are stored in one byte). */
    public static final int MAX_PARTITIONS = 255;

    public PartitionMapDefinition {
        sites = List.copyOf(Objects.requireNonNull(sites, "sites"));
        partitions = List.copyOf(Objects.requireNonNull(partitions, "partitions"));
        rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
        assignments = Map.copyOf(Objects.requireNonNull(assignments, "assignments"));
        if (version < 1) {
            throw new InvalidPartitionMapException("map version " + version + " is invalid: versions start at 1");
        }
        Set<PartitionId> known = checkStructure(sites, partitions, rules);
        for (Map.Entry<String, PartitionId> e : assignments.entrySet()) {
            UserKeys.validate(e.getKey());
            if (!known.contains(e.getValue())) {
                throw new InvalidPartitionMapException("an assignment names unknown partition " + e.getValue()
                        + "; known partitions: " + known);
            }
        }
    }

    /** Validates everything but the assignments; returns the partition ids. */
    static Set<PartitionId> checkStructure(List<SiteId> sites, List<Partition> partitions, List<Rule> rules) {
        if (sites.isEmpty()) {
            throw new InvalidPartitionMapException("a partition map needs at least one site");
        }
        if (partitions.isEmpty()) {
            throw new InvalidPartitionMapException("a partition map needs at least one partition");
        }
        if (partitions.size() > MAX_PARTITIONS) {
            throw new InvalidPartitionMapException("a partition map holds at most " + MAX_PARTITIONS
                    + " partitions, got " + partitions.size());
        }
        Set<SiteId> siteSet = new HashSet<>();
        for (SiteId site : sites) {
            if (!siteSet.add(site)) {
                throw new InvalidPartitionMapException("site " + site + " is listed twice");
            }
        }
        Set<PartitionId> ids = new HashSet<>();
        for (Partition p : partitions) {
            if (!ids.add(p.id())) {
                throw new InvalidPartitionMapException("partition " + p.id() + " is listed twice");
            }
            if (!siteSet.contains(p.home())) {
                throw new InvalidPartitionMapException("partition " + p.id() + " has unknown home site " + p.home()
                        + "; known sites: " + sites);
            }
            for (SiteId f : p.failover()) {
                if (!siteSet.contains(f)) {
                    throw new InvalidPartitionMapException("partition " + p.id() + " has unknown failover site " + f
                            + "; known sites: " + sites);
                }
            }
        }
        checkRules(rules, ids);
        return ids;
    }

    private static void checkRules(List<Rule> rules, Set<PartitionId> ids) {
        Map<String, Map<String, Integer>> attributeValues = new HashMap<>();
        List<String> prefixes = new ArrayList<>();
        List<Integer> prefixRules = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (!ids.contains(rule.partition())) {
                throw new InvalidPartitionMapException("rule " + i + " (" + rule + ") names unknown partition "
                        + rule.partition());
            }
            switch (rule) {
                case Rule.Attribute a -> {
                    Map<String, Integer> seen = attributeValues.computeIfAbsent(a.attribute(), k -> new HashMap<>());
                    for (String value : a.values()) {
                        Integer other = seen.putIfAbsent(value, i);
                        if (other != null) {
                            throw new InvalidPartitionMapException("rules " + other + " and " + i + " overlap: both"
                                    + " match " + a.attribute() + "=" + value);
                        }
                    }
                }
                case Rule.Prefix p -> {
                    for (int j = 0; j < prefixes.size(); j++) {
                        String other = prefixes.get(j);
                        if (other.startsWith(p.prefix()) || p.prefix().startsWith(other)) {
                            throw new InvalidPartitionMapException("rules " + prefixRules.get(j) + " and " + i
                                    + " overlap: prefixes '" + other + "' and '" + p.prefix() + "'");
                        }
                    }
                    prefixes.add(p.prefix());
                    prefixRules.add(i);
                }
            }
        }
    }

    /**
     * This definition with {@code change} applied and the version bumped by one.
     *
     * @throws InvalidPartitionMapException if the result would break a rule (this definition is unchanged)
     */
    public PartitionMapDefinition apply(MapChange change) {
        Objects.requireNonNull(change, "change");
        long next = version + 1;
        return switch (change) {
            case MapChange.AssignUser a -> {
                Map<String, PartitionId> copy = new HashMap<>(assignments);
                copy.put(a.userKey(), a.partition());
                yield new PartitionMapDefinition(next, sites, partitions, rules, copy);
            }
            case MapChange.ReplaceRules r -> new PartitionMapDefinition(next, sites, partitions, r.rules(), assignments);
            case MapChange.AddPartition p -> {
                List<Partition> copy = new ArrayList<>(partitions);
                copy.add(p.partition());
                yield new PartitionMapDefinition(next, sites, copy, rules, assignments);
            }
            case MapChange.AddSite s -> {
                List<SiteId> copy = new ArrayList<>(sites);
                copy.add(s.site());
                yield new PartitionMapDefinition(next, copy, partitions, rules, assignments);
            }
        };
    }

    /** This definition without its assignments. */
    PartitionMapDefinition withoutAssignments() {
        return new PartitionMapDefinition(version, sites, partitions, rules, Map.of());
    }

    /** A builder starting at version 1 with nothing in it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects a definition; {@link #build()} validates it. Not thread-safe. */
    public static final class Builder {

        private long version = 1;
        private final List<SiteId> sites = new ArrayList<>();
        private final List<Partition> partitions = new ArrayList<>();
        private final List<Rule> rules = new ArrayList<>();
        private final Map<String, PartitionId> assignments = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets the version (default 1). */
        public Builder version(long value) {
            this.version = value;
            return this;
        }

        /** Adds sites. */
        public Builder sites(String... names) {
            for (String name : names) {
                sites.add(SiteId.of(name));
            }
            return this;
        }

        /** Adds a partition. */
        public Builder partition(Partition partition) {
            partitions.add(partition);
            return this;
        }

        /** Adds a rule after those already added. */
        public Builder rule(Rule rule) {
            rules.add(rule);
            return this;
        }

        /** Assigns a user explicitly; a later call for the same key wins. */
        public Builder assign(String userKey, String partition) {
            assignments.put(userKey, PartitionId.of(partition));
            return this;
        }

        /** @throws InvalidPartitionMapException if the definition breaks a rule */
        public PartitionMapDefinition build() {
            return new PartitionMapDefinition(version, sites, partitions, rules, assignments);
        }
    }
}
