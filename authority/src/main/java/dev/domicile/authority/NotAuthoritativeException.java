package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.Optional;

/**
 * A write refused by {@link WriteAdmission#admit}: this router may not write the partition now. Thrown at once,
 * never after a wait.
 */
public final class NotAuthoritativeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient PartitionId partition;
    private final transient SiteId lastKnownOwner;
    private final long lastKnownEpoch;
    private final RetryHint hint;
    private final transient Duration retryAfter;

    NotAuthoritativeException(PartitionId partition, SiteId lastKnownOwner, long lastKnownEpoch, RetryHint hint,
            Duration retryAfter, String why) {
        super("not authoritative for partition " + partition + ": " + why + " (last known owner "
                + (lastKnownOwner == null ? "none" : lastKnownOwner + " at epoch " + lastKnownEpoch) + "; "
                + hint + (hint == RetryHint.RETRY_LATER ? " after " + retryAfter : "") + ")");
        this.partition = partition;
        this.lastKnownOwner = lastKnownOwner;
        this.lastKnownEpoch = lastKnownEpoch;
        this.hint = hint;
        this.retryAfter = retryAfter;
    }

    /** The partition whose write was refused. */
    public PartitionId partition() {
        return partition;
    }

    /** The owner this router last knew of, if it ever knew one. */
    public Optional<SiteId> lastKnownOwner() {
        return Optional.ofNullable(lastKnownOwner);
    }

    /** The epoch this router last knew of, 0 if none. */
    public long lastKnownEpoch() {
        return lastKnownEpoch;
    }

    /** What to do about it. */
    public RetryHint hint() {
        return hint;
    }

    /** How long to wait before retrying when the hint is {@link RetryHint#retryLater()}. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
