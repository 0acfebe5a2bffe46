package dev.domicile.router;

/** The role an endpoint is configured for. The monitor verifies it before the router relies on it. */
public enum Role {
    /** Accepts writes; must not be in recovery. */
    PRIMARY,
    /** A streaming replica; must be in recovery. */
    REPLICA,
    /**
     * {@link Dialect#COCKROACHDB} only: a node of the cluster that takes any statement for any partition (CockroachDB
     * sends each to the range's leaseholder or a follower); its locality region must be its site's region.
     */
    GATEWAY
}
