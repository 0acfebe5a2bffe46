package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.sql.SQLException;

/**
 * A takeover claimed its epoch but could not raise the new primary's fence to it (promotion or the fence bump
 * failed): the partition stays {@linkplain Authority.Phase#FENCING FENCING}, owned by the taker and unwritable for
 * everyone, until the fencing is completed ({@link Failover#resume}, or by hand and {@link AuthorityStore#activate}).
 * Its cause is the database's error; its SQLSTATE is the cause's.
 */
public final class FencingIncompleteException extends SQLException {

    private static final long serialVersionUID = 1L;

    private final String partition;
    private final String owner;
    private final long epoch;

    FencingIncompleteException(Authority claimed, String what, SQLException cause) {
        super("partition " + claimed.partition() + " stays FENCING at epoch " + claimed.epoch() + " owned by "
                + claimed.owner() + ", refusing every write: " + what + ": " + cause.getMessage()
                + "; Failover.resume completes it", cause.getSQLState(), cause);
        this.partition = claimed.partition().value();
        this.owner = claimed.owner().value();
        this.epoch = claimed.epoch();
    }

    /** The partition left FENCING. */
    public PartitionId partition() {
        return PartitionId.of(partition);
    }

    /** The site that claimed it. */
    public SiteId owner() {
        return SiteId.of(owner);
    }

    /** The claimed epoch, still FENCING. */
    public long epoch() {
        return epoch;
    }
}
