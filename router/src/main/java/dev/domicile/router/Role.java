package dev.domicile.router;

/** The role an endpoint is configured for. The monitor verifies it before the router relies on it. */
public enum Role {
    /** Accepts writes; must not be in recovery. */
    PRIMARY,
    /** A streaming replica; must be in recovery. */
    REPLICA
}
