package dev.domicile.testkit;

import java.util.Objects;

/**
 * One PostgreSQL server of a topology: where it runs, whose data it holds and in which role it was started.
 *
 * <p>An endpoint is a value: its address never changes while the topology is open, also across
 * {@link Topology#stop(Endpoint)} and {@link Topology#start(Endpoint)}. The connection is made as the
 * superuser {@code user} to database {@code database} without a password (trust authentication on loopback).
 *
 * @param name      unique name in the topology, e.g. {@code eu-west-primary} or {@code eu-west-replica-us-east-1}
 * @param site      the site (region) the server runs in
 * @param partition the partition whose data it holds
 * @param role      the role it was started in
 * @param host      the address it listens on (always a loopback address)
 * @param port      the port it listens on
 * @param database  the database to connect to
 * @param user      the user to connect as
 */
public record Endpoint(String name, String site, String partition, Role role, String host, int port,
                       String database, String user) {

    public Endpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
    }

    /** The JDBC URL that reaches this server directly, without a fault proxy. */
    public String jdbcUrl() {
        return jdbcUrl(host, port);
    }

    /** The JDBC URL of this endpoint's database on another address (e.g. a fault proxy in front of it). */
    public String jdbcUrl(String viaHost, int viaPort) {
        return "jdbc:postgresql://" + viaHost + ":" + viaPort + "/" + database + "?user=" + user;
    }
}
