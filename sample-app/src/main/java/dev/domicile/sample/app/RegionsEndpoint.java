package dev.domicile.sample.app;

import dev.domicile.micronaut.DomicileConfig;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;
import java.util.List;

/**
 * {@code GET /regions} (JSON): every declared site with its base URL ({@code domicile.sites.<name>.base-url}) and
 * whether it is this one. The status page reads it to find the other regions.
 */
@Endpoint(id = "regions", defaultSensitive = false)
final class RegionsEndpoint {

    private final List<Region> regions;

    RegionsEndpoint(DomicileConfig config) {
        regions = config.sites().stream()
                .map(site -> new Region(site.id().value(), site.baseUrl().map(Object::toString).orElse(null),
                        site.id().equals(config.localSite())))
                .toList();
    }

    /** The regions, in name order. */
    @Read
    public List<Region> regions() {
        return regions;
    }

    /**
     * One region.
     *
     * @param name  the site's name
     * @param url   its base URL, or null if none is configured
     * @param local whether this process serves it
     */
    public record Region(String name, String url, boolean local) {
    }
}
