package dev.domicile.partition;

/**
 * The answer to {@link PartitionMap#homeOf(String)}: a user's home partition, the map version it was read from, and
 * the resolution layer that decided. Instances are shared per map snapshot, so a lookup does not allocate.
 *
 * @param partition  the user's home partition (with its home site and failover order)
 * @param mapVersion the version of the map that answered
 * @param source     which layer decided
 */
public record Home(Partition partition, long mapVersion, Source source) {

    /** The resolution layer that decided a user's home. */
    public enum Source {
        /** An explicit per-user assignment. */
        ASSIGNMENT,
        /** A declarative rule on an attribute or a key prefix. */
        RULE,
        /** The stable weighted hash. */
        HASH
    }

    /** Shorthand for {@code partition().id()}. */
    public PartitionId partitionId() {
        return partition.id();
    }

    /** Shorthand for {@code partition().home()}: the site normally authoritative for the user. */
    public SiteId site() {
        return partition.home();
    }
}
