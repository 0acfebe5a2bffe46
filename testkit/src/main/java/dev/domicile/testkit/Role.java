package dev.domicile.testkit;

/** The role a database endpoint was started in. A promoted replica keeps {@link #REPLICA} as its placement role. */
public enum Role {
    /** Accepts writes; the source of its partition's streaming replicas. */
    PRIMARY,
    /** A hot standby streaming from its partition's primary; read-only until promoted. */
    REPLICA
}
