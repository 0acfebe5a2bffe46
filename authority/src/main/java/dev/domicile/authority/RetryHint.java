package dev.domicile.authority;

/** What the caller of a refused write should do; carried by {@link NotAuthoritativeException}. */
public enum RetryHint {

    /** Another site owns the partition: forward the write (or the whole request) to its owner. */
    FORWARD_TO_OWNER,

    /** Authority is unknown here for now (ZooKeeper unreachable, re-reading, none published): retry later. */
    RETRY_LATER,

    /**
     * The partition's new epoch is {@linkplain Authority.Phase#FENCING FENCING}: its new owner is raising its
     * database fence and admits nothing yet, nor does anyone else. Retry later (here, or at the owner).
     */
    FENCING_IN_PROGRESS;

    /** Whether the caller should retry after {@link NotAuthoritativeException#retryAfter()} rather than forward. */
    public boolean retryLater() {
        return this != FORWARD_TO_OWNER;
    }
}
