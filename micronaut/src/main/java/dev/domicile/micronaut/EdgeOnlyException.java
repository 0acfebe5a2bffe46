package dev.domicile.micronaut;

import java.sql.SQLNonTransientConnectionException;

/**
 * A connection asked of an edge-only site that has no database ({@link EdgeOnlyDataSource}). SQLSTATE
 * {@value #SQLSTATE}. Answered {@code 503} with {@code Retry-After} when it leaves a controller.
 */
public final class EdgeOnlyException extends SQLNonTransientConnectionException {

    /** The SQLSTATE of this exception. */
    public static final String SQLSTATE = "DM002";

    private static final long serialVersionUID = 1L;

    EdgeOnlyException(String localSite) {
        super("site " + localSite + " is edge-only (domicile.edge-only: true) and has no database: only requests "
                + "with a user key run, at the user's home site", SQLSTATE);
    }
}
