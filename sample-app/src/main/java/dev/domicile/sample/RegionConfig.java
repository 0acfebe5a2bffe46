package dev.domicile.sample;

import dev.domicile.sample.drill.AuthorityAgents;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration properties of one region's service, built from a topology: the region is the local site, every
 * partition is declared with its primary and replicas at the JDBC URLs seen from that region (through the topology's
 * link proxies, so a drill can cut them), users are homed by a partition map file holding {@link Homes#definition},
 * writes arriving in the wrong region are forwarded to the user's home region (signed), or to the partition's
 * owner once authority has moved, sessions live in the Redis of their user's home region, write authority comes from
 * ZooKeeper (reached through the region's own link, so a drill can cut it; the same root, credentials and timeouts
 * as {@link dev.domicile.sample.drill.AuthorityAgents}), and the management endpoints the status page reads are
 * open.
 */
final class RegionConfig {

    private RegionConfig() {
    }

    /**
     * The secrets every region shares: HMAC keys of forwarded requests and of session ids.
     *
     * @param forwarding {@code domicile.forwarding.secret}
     * @param session    {@code domicile.session.secret}
     */
    record Secrets(String forwarding, String session) {

        /** Fresh random secrets, 32 random bytes each, hex-encoded. */
        static Secrets random() {
            return new Secrets(randomHex(), randomHex());
        }

        private static String randomHex() {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            return HexFormat.of().formatHex(bytes);
        }
    }

    /**
     * The properties of {@code region}'s service.
     *
     * @param topology the running topology
     * @param region   the site the service runs in
     * @param urls     every site's base URL; {@code urls.get(region)} gives the port to listen on
     * @param mapFile  the partition map file for this region's service (one per service: each store owns its file)
     * @param secrets  the forwarding and session secrets, the same for every region
     * @param control  the demo's control server (edge, authority, drill) the status page shows, if any
     */
    static Map<String, Object> properties(Topology topology, String region, Map<String, URI> urls, Path mapFile,
                                          Secrets secrets, URI control) {
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
        p.put("domicile.forwarding.policy", "FORWARD");
        p.put("domicile.forwarding.secret", secrets.forwarding());
        p.put("domicile.session.secret", secrets.session());
        p.put("domicile.zookeeper.connect-string", topology.zooKeeperConnectString(region));
        p.put("domicile.zookeeper.session-timeout", AuthorityAgents.SESSION_TIMEOUT.toMillis() + "ms");
        p.put("domicile.zookeeper.connection-timeout", AuthorityAgents.CONNECTION_TIMEOUT.toMillis() + "ms");
        p.put("domicile.zookeeper.safety-margin", AuthorityAgents.SAFETY_MARGIN.toMillis() + "ms");
        p.put("domicile.zookeeper.auth", AuthorityAgents.AUTH);
        p.put("domicile.zookeeper.router-id", region + "-notes");
        p.put("domicile.zookeeper.initialize", true);
        if (control != null) {
            p.put("sample.control-url", control.toString());
        }
        for (String site : topology.sites()) {
            p.put("domicile.sites." + site + ".base-url", urls.get(site).toString());
            p.put("domicile.sites." + site + ".redis-uri", topology.redisUri(region, site));
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
