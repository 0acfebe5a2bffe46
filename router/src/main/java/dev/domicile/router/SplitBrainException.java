package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import java.sql.SQLTransientException;
import java.util.List;

/**
 * Writes of a partition are quarantined because more than one of its databases accepts writes (is not in
 * recovery): a split brain. Nothing is written until an operator (or failover) leaves exactly one writable database;
 * reads continue. The message names every writable endpoint.
 */
public final class SplitBrainException extends SQLTransientException {

    private static final long serialVersionUID = 1L;

    private final String partition;
    private final String[] writable;

    SplitBrainException(PartitionId partition, List<String> writable) {
        super("writes of partition " + partition + " are quarantined: " + writable.size()
                + " databases accept writes (" + String.join(", ", writable) + "); exactly one must", "DM011");
        this.partition = partition.value();
        this.writable = writable.toArray(String[]::new);
    }

    public PartitionId partition() {
        return PartitionId.of(partition);
    }

    /** The endpoints that were not in recovery at their last probe. */
    public List<String> writableEndpoints() {
        return List.of(writable);
    }
}
