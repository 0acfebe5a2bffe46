package dev.domicile.partition;

/**
 * A change was based on a map version that is no longer current: another writer changed the map first. Re-read
 * {@link PartitionMapStore#current()}, decide again, and retry with the new version.
 */
public final class ConcurrentChangeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long expectedVersion;
    private final long actualVersion;

    ConcurrentChangeException(MapChange change, long expectedVersion, long actualVersion) {
        super(describe(change) + " was based on map version " + expectedVersion + " but the map is now at version "
                + (actualVersion < 0 ? "(unknown, changed concurrently)" : String.valueOf(actualVersion))
                + "; re-read the map and retry");
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    private static String describe(MapChange change) {
        return switch (change) {
            case MapChange.AssignUser a -> "assigning a user to partition " + a.partition();
            case MapChange.ReplaceRules r -> "replacing the rules";
            case MapChange.AddPartition p -> "adding partition " + p.partition().id();
            case MapChange.AddSite s -> "adding site " + s.site();
        };
    }

    /** The version the change was based on. */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version found, or -1 when the conflict was detected by ZooKeeper before it could be read. */
    public long actualVersion() {
        return actualVersion;
    }
}
