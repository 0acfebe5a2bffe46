package dev.domicile.router;

import dev.domicile.authority.NotAuthoritativeException;
import java.sql.SQLTransientException;

/**
 * A write refused because this router may not write the partition now: its site does not own it, or ZooKeeper cannot
 * confirm that it does. Thrown before any statement reaches a database. {@link #getCause()} is the authority's
 * {@link NotAuthoritativeException}, with the last known owner, epoch and a retry hint (forward to the owner, or
 * retry later).
 */
public final class WriteRefusedException extends SQLTransientException {

    private static final long serialVersionUID = 1L;

    WriteRefusedException(NotAuthoritativeException cause) {
        super(cause.getMessage(), "DM010", cause);
    }

    /** The authority's reason, with owner, epoch and retry hint. */
    public NotAuthoritativeException refusal() {
        return (NotAuthoritativeException) getCause();
    }
}
