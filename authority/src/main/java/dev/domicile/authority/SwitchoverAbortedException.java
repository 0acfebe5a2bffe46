package dev.domicile.authority;

import dev.domicile.partition.PartitionId;

/**
 * A planned switchover gave up before promoting its target (it did not catch up, or is not a replica): the old owner
 * keeps the partition, at the next epoch, and writes are admitted there again. The message says why.
 */
public final class SwitchoverAbortedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String partition;

    SwitchoverAbortedException(PartitionId partition, String reason, Throwable cause) {
        super("switchover of partition " + partition + " aborted: " + reason, cause);
        this.partition = partition.value();
    }

    public PartitionId partition() {
        return PartitionId.of(partition);
    }
}
