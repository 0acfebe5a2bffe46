package dev.domicile.micronaut;

import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import dev.domicile.router.Consistency;
import dev.domicile.router.RouterConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated, immutable {@code domicile.*} configuration of this process, available as a bean. Made once at
 * start-up from the bound properties; any rule broken stops start-up with a {@link DomicileConfigurationException}.
 *
 * @param localSite          {@code domicile.local-site}, one of {@link #sites()}
 * @param sites              {@code domicile.sites.*}, in name order
 * @param mapDefinition      the partition map the configured sites and partitions describe (version 1)
 * @param mapFile            {@code domicile.map.file}, if the map is kept in a file
 * @param router             the routing data source's configuration, one endpoint per configured database; empty
 *                           only at an edge-only site that declares no database (then there is no
 *                           {@link dev.domicile.router.RoutingDataSource})
 * @param defaultConsistency consistency of requests that declare none
 * @param edgeOnly           {@code domicile.edge-only}: this site runs no user's requests
 */
public record DomicileConfig(SiteId localSite, List<Site> sites, PartitionMapDefinition mapDefinition,
                             Optional<Path> mapFile, Optional<RouterConfig> router, Consistency defaultConsistency,
                             boolean edgeOnly) {

    public DomicileConfig {
        Objects.requireNonNull(localSite, "localSite");
        sites = List.copyOf(sites);
        Objects.requireNonNull(mapDefinition, "mapDefinition");
        Objects.requireNonNull(mapFile, "mapFile");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(defaultConsistency, "defaultConsistency");
    }

    /**
     * One declared site.
     *
     * @param id       its name
     * @param baseUrl  {@code base-url}, for forwarding requests to it
     * @param redisUri {@code redis-uri}, for its sessions
     * @param redis    how its Redis is reached (timeouts, retries); the defaults when no {@code redis-uri} is set
     */
    public record Site(SiteId id, Optional<URI> baseUrl, Optional<String> redisUri, RedisClient redis) {

        public Site {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(redisUri, "redisUri");
            Objects.requireNonNull(redis, "redis");
        }
    }

    /**
     * How a site's Redis is reached by the session store.
     *
     * @param connectTimeout {@code domicile.sites.<name>.redis-connect-timeout}: how long opening a connection may
     *                       take; positive, whole milliseconds
     * @param commandTimeout {@code domicile.sites.<name>.redis-command-timeout}: how long a command may wait for its
     *                       reply before it fails (and the site's Redis counts as unavailable for it); positive,
     *                       whole milliseconds
     * @param retryAttempts  {@code domicile.sites.<name>.redis-retry-attempts}: how often a failed command is retried
     *                       (100 ms apart) before the failure is reported; zero or more
     */
    public record RedisClient(Duration connectTimeout, Duration commandTimeout, int retryAttempts) {

        /** The defaults: 1 s, 1 s, 1 retry. */
        public static final RedisClient DEFAULTS = new RedisClient(Duration.ofSeconds(1), Duration.ofSeconds(1), 1);

        public RedisClient {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(commandTimeout, "commandTimeout");
        }
    }
}
