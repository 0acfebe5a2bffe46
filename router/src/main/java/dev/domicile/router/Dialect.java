package dev.domicile.router;

/**
 * The database engine a {@link RoutingDataSource} routes to; chosen with {@link RouterConfig.Builder#dialect}.
 */
public enum Dialect {
    /**
     * PostgreSQL with streaming replicas: one primary per partition, replicas in their sites; the router chooses
     * between them, tracks WAL positions as causal tokens and verifies roles with {@code pg_is_in_recovery()}. The
     * default.
     */
    POSTGRESQL,
    /**
     * A multi-region CockroachDB cluster: every endpoint is a {@linkplain Role#GATEWAY gateway} that serves every
     * partition, since the database replicates and routes to leaseholders itself. Partitions map to
     * {@code crdb_region} values ({@link CockroachRegions}); BOUNDED_STALENESS and ANY reads become follower reads;
     * everything else goes to a gateway at the present time, local site first.
     */
    COCKROACHDB
}
