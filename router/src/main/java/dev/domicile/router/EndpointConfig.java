package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.util.Objects;

/**
 * One database server the router may use.
 *
 * @param name      unique name, used in pool names, decisions and errors
 * @param partition whose data it holds
 * @param site      where it runs
 * @param role      the role it is configured for (verified by the monitor)
 * @param jdbcUrl   a {@code jdbc:postgresql:} URL
 * @param username  may be null when the URL or the server needs none
 * @param password  may be null
 */
public record EndpointConfig(String name, PartitionId partition, SiteId site, Role role, String jdbcUrl,
                             String username, String password) {

    public EndpointConfig {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(role, "role");
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("endpoint name '" + name + "' is invalid: use 1 to 64 letters, digits,"
                    + " '.', '_' or '-'");
        }
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("endpoint " + name + ": jdbcUrl must start with jdbc:postgresql:, was '"
                    + jdbcUrl + "'");
        }
    }

    @Override
    public String toString() {
        return "EndpointConfig[" + name + " " + role + " of " + partition + " in " + site + " " + jdbcUrl + "]";
    }
}
