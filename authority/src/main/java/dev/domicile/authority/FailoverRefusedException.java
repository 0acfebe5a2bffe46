package dev.domicile.authority;

import dev.domicile.partition.PartitionId;

/** A failover the recovery-point policy forbids, or whose candidate cannot be promoted. Nothing was changed. */
public final class FailoverRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String partition;

    FailoverRefusedException(PartitionId partition, String reason) {
        super("failover of partition " + partition + " refused: " + reason);
        this.partition = partition.value();
    }

    public PartitionId partition() {
        return PartitionId.of(partition);
    }
}
