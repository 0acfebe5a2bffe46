package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.util.Objects;

/**
 * One database server the router may use.
 *
 * @param name      unique name, used in pool names, decisions and errors
 * @param partition whose data it holds; null for a {@link Role#GATEWAY}, which serves every partition
 * @param site      where it runs
 * @param role      the role it is configured for (verified by the monitor)
 * @param jdbcUrl   a {@code jdbc:postgresql:} URL
 * @param username  may be null when the URL or the server needs none
 * @param password  may be null
 */
public record EndpointConfig(String name, PartitionId partition, SiteId site, Role role, String jdbcUrl,
                             String username, String password) {

    public EndpointConfig {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(role, "role");
        if ((role == Role.GATEWAY) != (partition == null)) {
            throw new IllegalArgumentException("endpoint " + name + ": " + (role == Role.GATEWAY
                    ? "a GATEWAY serves every partition and takes none, was given " + partition
                    : "partition is required for a " + role));
        }
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("endpoint name '" + name + "' is invalid: use 1 to 64 letters, digits,"
                    + " '.', '_' or '-'");
        }
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("endpoint " + name + ": jdbcUrl must start with jdbc:postgresql:, was '"
                    + jdbcUrl + "'");
        }
    }

    /**
     * A CockroachDB gateway (a node any statement may be sent to) in {@code site}, for {@link Dialect#COCKROACHDB}.
     *
     * @param jdbcUrl a {@code jdbc:postgresql:} URL of the node (CockroachDB speaks the PostgreSQL protocol)
     * @throws IllegalArgumentException if the name or URL is invalid
     */
    public static EndpointConfig gateway(String name, SiteId site, String jdbcUrl, String username, String password) {
        return new EndpointConfig(name, null, site, Role.GATEWAY, jdbcUrl, username, password);
    }

    @Override
    public String toString() {
        return "EndpointConfig[" + name + " " + role + (partition == null ? "" : " of " + partition) + " in " + site
                + " " + jdbcUrl + "]";
    }
}
