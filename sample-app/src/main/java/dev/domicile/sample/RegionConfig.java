package dev.domicile.sample;

import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration properties of one region's service, built from a topology: the region is the local site, every
 * partition is declared with its primary and replicas at the JDBC URLs seen from that region (through the topology's
 * link proxies, so a drill can cut them), users are homed by a partition map file holding {@link Homes#definition}, and the management
 * endpoints the status page reads are open.
 */
final class RegionConfig {

    private RegionConfig() {
    }

    /**
     * The properties of {@code region}'s service.
     *
     * @param topology the running topology
     * @param region   the site the service runs in
     * @param urls     every site's base URL; {@code urls.get(region)} gives the port to listen on
     * @param mapFile  the partition map file for this region's service (one per service: each store owns its file)
     */
    static Map<String, Object> properties(Topology topology, String region, Map<String, URI> urls, Path mapFile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("micronaut.application.name", "domicile-sample-" + region);
        p.put("micronaut.server.host", "127.0.0.1");
        p.put("micronaut.server.port", urls.get(region).getPort());
        p.put("micronaut.server.cors.enabled", true);
        p.put("endpoints.health.details-visible", "ANONYMOUS");
        p.put("endpoints.domicile.sensitive", false);
        p.put("domicile.local-site", region);
        p.put("domicile.map.file", mapFile.toString());
        p.put("domicile.router.default-partition", topology.homePartition(region));
        p.put("domicile.router.probe-interval", "100ms");
        for (String site : topology.sites()) {
            p.put("domicile.sites." + site + ".base-url", urls.get(site).toString());
            String partition = topology.homePartition(site);
            String prefix = "domicile.partitions." + partition;
            p.put(prefix + ".home-site", site);
            p.put(prefix + ".failover", topology.sites().stream().filter(s -> !s.equals(site)).toList());
            p.put(prefix + ".primary.jdbc-url", topology.jdbcUrl(region, topology.primary(partition)));
            List<Endpoint> replicas = topology.replicas(partition);
            for (int i = 0; i < replicas.size(); i++) {
                p.put(prefix + ".replicas[" + i + "].site", replicas.get(i).site());
                p.put(prefix + ".replicas[" + i + "].jdbc-url", topology.jdbcUrl(region, replicas.get(i)));
            }
        }
        return p;
    }
}
