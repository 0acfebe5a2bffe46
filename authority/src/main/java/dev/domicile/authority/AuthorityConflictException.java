package dev.domicile.authority;

import dev.domicile.partition.PartitionId;

/**
 * A change of authority lost a race or was based on an outdated view: the partition's authority is not (or no longer)
 * at the epoch the caller expected. Re-read the authority and decide again.
 */
public final class AuthorityConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient PartitionId partition;
    private final long expectedEpoch;
    private final long foundEpoch;

    AuthorityConflictException(PartitionId partition, long expectedEpoch, long foundEpoch, String why) {
        super("authority of partition " + partition + " changed: expected epoch " + expectedEpoch + ", " + why);
        this.partition = partition;
        this.expectedEpoch = expectedEpoch;
        this.foundEpoch = foundEpoch;
    }

    /** The partition. */
    public PartitionId partition() {
        return partition;
    }

    /** The epoch the caller based its change on. */
    public long expectedEpoch() {
        return expectedEpoch;
    }

    /** The epoch found in ZooKeeper, or -1 if it changed between read and write. */
    public long foundEpoch() {
        return foundEpoch;
    }
}
