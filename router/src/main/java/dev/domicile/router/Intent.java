package dev.domicile.router;

/** What a connection will be used for. Unknown intent is treated as {@link #WRITE}. */
public enum Intent {
    /** Reads only: may go to a replica that satisfies the consistency level. */
    READ,
    /** May write: goes to the primary of the user's home partition. */
    WRITE
}
