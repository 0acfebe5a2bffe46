package dev.domicile.micronaut;

import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import dev.domicile.router.Consistency;
import dev.domicile.router.RouterConfig;
import java.net.URI;
import java.nio.file.Path;
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
 * @param router             the routing data source's configuration, one endpoint per configured database
 * @param defaultConsistency consistency of requests that declare none
 */
public record DomicileConfig(SiteId localSite, List<Site> sites, PartitionMapDefinition mapDefinition,
                             Optional<Path> mapFile, RouterConfig router, Consistency defaultConsistency) {

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
     */
    public record Site(SiteId id, Optional<URI> baseUrl, Optional<String> redisUri) {
    }
}
