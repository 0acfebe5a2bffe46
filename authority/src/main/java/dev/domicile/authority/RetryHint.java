package dev.domicile.authority;

/** What the caller of a refused write should do; carried by {@link NotAuthoritativeException}. */
public enum RetryHint {

    /** Another site owns the partition: forward the write (or the whole request) to its owner. */
    FORWARD_TO_OWNER,

    /** Authority is unknown here for now (ZooKeeper unreachable, re-reading, none published): retry later. */
    RETRY_LATER
}
