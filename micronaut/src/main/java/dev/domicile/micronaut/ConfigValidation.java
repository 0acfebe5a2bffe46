package dev.domicile.micronaut;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import dev.domicile.router.Consistency;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.Role;
import dev.domicile.router.RouterConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the bound {@code domicile.*} properties into a {@link DomicileConfig}, checking every rule on the way. The
 * first broken rule ends the check with a {@link DomicileConfigurationException} naming the key, value and rule;
 * nothing is replaced by a default silently.
 *
 * <p>Design note: longer than most classes here because every rule lives in one place, in the order a reader of the
 * configuration meets the keys, each with the exact key it reports; the core types' own checks (site and partition
 * names, failover lists, endpoint uniqueness) are reused and their messages prefixed with the key.
 *
 * <p>An edge-only site ({@code domicile.edge-only: true}) may declare no database at all: when no partition has a
 * {@code primary} or {@code replicas}, there is no router configuration. If it declares any, every partition needs
 * its primary, as at any other site.
 */
final class ConfigValidation {

    private static final Set<String> DATABASE_KEYS = Set.of("jdbc-url", "username", "password");
    private static final Set<String> REPLICA_KEYS = Set.of("site", "jdbc-url", "username", "password");

    private ConfigValidation() {
    }

    static DomicileConfig validate(DomicileProperties domicile, List<SiteProperties> siteProperties,
                                   List<PartitionProperties> partitionProperties, RouterProperties router,
                                   MapProperties map) {
        List<DomicileConfig.Site> sites = sites(siteProperties);
        Set<SiteId> declared = new LinkedHashSet<>();
        sites.forEach(s -> declared.add(s.id()));
        SiteId localSite = siteId("domicile.local-site", domicile.localSite());
        if (!declared.contains(localSite)) {
            throw new DomicileConfigurationException("domicile.local-site", domicile.localSite(),
                    "the local site must be one of the declared sites (domicile.sites.*): " + declared);
        }
        if (partitionProperties.isEmpty()) {
            throw new DomicileConfigurationException("domicile.partitions", null,
                    "declare at least one partition with its home-site and primary.jdbc-url");
        }
        List<PartitionProperties> ordered = partitionProperties.stream()
                .sorted(Comparator.comparing(PartitionProperties::name)).toList();
        PartitionMapDefinition.Builder definition = PartitionMapDefinition.builder()
                .sites(declared.stream().map(SiteId::value).toArray(String[]::new));
        RouterConfig.Builder routerConfig = RouterConfig.builder().localSite(localSite);
        boolean databases = !domicile.edgeOnly() || ordered.stream().anyMatch(ConfigValidation::declaresDatabase);
        for (PartitionProperties partition : ordered) {
            definition.partition(partition(partition, declared));
            if (databases) {
                endpoints(partition, declared).forEach(routerConfig::endpoint);
            }
        }
        if (domicile.edgeOnly() && router.defaultPartition() != null) {
            throw new DomicileConfigurationException("domicile.router.default-partition", router.defaultPartition(),
                    "must not be set when domicile.edge-only is true: an edge-only site routes no connection "
                            + "without a user to a database");
        }
        Optional<RouterConfig> built = databases ? Optional.of(routerConfig(routerConfig, router, ordered))
                : Optional.empty();
        return new DomicileConfig(localSite, sites, build(definition), Optional.ofNullable(map.file()), built,
                consistency(router), domicile.edgeOnly());
    }

    /** Whether the partition declares a primary or a replica. */
    private static boolean declaresDatabase(PartitionProperties partition) {
        return (partition.primary() != null && !partition.primary().isEmpty())
                || (partition.replicas() != null && !partition.replicas().isEmpty());
    }

    private static List<DomicileConfig.Site> sites(List<SiteProperties> properties) {
        if (properties.isEmpty()) {
            throw new DomicileConfigurationException("domicile.sites", null,
                    "declare at least one site (domicile.sites.<name>), including the local site");
        }
        TreeMap<String, DomicileConfig.Site> sites = new TreeMap<>();
        for (SiteProperties site : properties) {
            String prefix = "domicile.sites." + site.name();
            SiteId id = siteId(prefix, site.name());
            Optional<URI> baseUrl = Optional.ofNullable(site.baseUrl()).map(url -> baseUrl(prefix + ".base-url", url));
            Optional<String> redis = Optional.ofNullable(site.redisUri());
            redis.ifPresent(uri -> {
                if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
                    throw new DomicileConfigurationException(prefix + ".redis-uri", uri,
                            "must start with redis:// or rediss://");
                }
            });
            sites.put(id.value(), new DomicileConfig.Site(id, baseUrl, redis, redisClient(prefix, site, redis)));
        }
        return List.copyOf(sites.values());
    }

    private static DomicileConfig.RedisClient redisClient(String prefix, SiteProperties site,
                                                          Optional<String> redis) {
        DomicileConfig.RedisClient defaults = DomicileConfig.RedisClient.DEFAULTS;
        if (redis.isEmpty()) {
            String set = site.redisConnectTimeout() != null ? "redis-connect-timeout"
                    : site.redisCommandTimeout() != null ? "redis-command-timeout"
                    : site.redisRetryAttempts() != null ? "redis-retry-attempts" : null;
            if (set != null) {
                throw new DomicileConfigurationException(prefix + "." + set, set.equals("redis-retry-attempts")
                        ? site.redisRetryAttempts() : set.equals("redis-command-timeout")
                        ? site.redisCommandTimeout() : site.redisConnectTimeout(),
                        "applies only to a site with a " + prefix + ".redis-uri, which is not set");
            }
            return defaults;
        }
        Duration connect = redisTimeout(prefix + ".redis-connect-timeout", site.redisConnectTimeout(),
                defaults.connectTimeout());
        Duration command = redisTimeout(prefix + ".redis-command-timeout", site.redisCommandTimeout(),
                defaults.commandTimeout());
        int retries = site.redisRetryAttempts() == null ? defaults.retryAttempts() : site.redisRetryAttempts();
        if (retries < 0) {
            throw new DomicileConfigurationException(prefix + ".redis-retry-attempts", retries,
                    "must be zero or more");
        }
        return new DomicileConfig.RedisClient(connect, command, retries);
    }

    private static Duration redisTimeout(String key, Duration value, Duration defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
            throw new DomicileConfigurationException(key, value,
                    "must be at least 1ms and at most " + Integer.MAX_VALUE + "ms (the Redis client counts int millis)");
        }
        return value;
    }

    private static URI baseUrl(String key, String value) {
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below with the rule
        }
        throw new DomicileConfigurationException(key, value, "must be an absolute http:// or https:// URL");
    }

    private static Partition partition(PartitionProperties properties, Set<SiteId> declared) {
        String prefix = "domicile.partitions." + properties.name();
        PartitionId id;
        try {
            id = PartitionId.of(properties.name());
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException(prefix, properties.name(), e.getMessage());
        }
        SiteId home = declaredSite(prefix + ".home-site", properties.homeSite(), declared);
        List<SiteId> failover = new ArrayList<>();
        List<String> listed = properties.failover() == null ? List.of() : properties.failover();
        for (int i = 0; i < listed.size(); i++) {
            failover.add(declaredSite(prefix + ".failover[" + i + "]", listed.get(i), declared));
        }
        try {
            return new Partition(id, home, failover, properties.weight());
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException(prefix, properties.name(), e.getMessage());
        }
    }

    private static List<EndpointConfig> endpoints(PartitionProperties properties, Set<SiteId> declared) {
        String prefix = "domicile.partitions." + properties.name();
        PartitionId id = PartitionId.of(properties.name());
        SiteId home = SiteId.of(properties.homeSite());
        Map<String, Object> primary = properties.primary() == null ? Map.of() : properties.primary();
        checkKeys(prefix + ".primary", primary, DATABASE_KEYS);
        String username = text(primary, "username");
        String password = text(primary, "password");
        List<EndpointConfig> endpoints = new ArrayList<>();
        endpoints.add(endpoint(prefix + ".primary.jdbc-url", id.value() + "-primary", id, home, Role.PRIMARY,
                text(primary, "jdbc-url"), username, password));
        List<Map<String, Object>> replicas = properties.replicas() == null ? List.of() : properties.replicas();
        for (int i = 0; i < replicas.size(); i++) {
            String key = prefix + ".replicas[" + i + "]";
            Map<String, Object> replica = replicas.get(i);
            checkKeys(key, replica, REPLICA_KEYS);
            SiteId site = declaredSite(key + ".site", text(replica, "site"), declared);
            endpoints.add(endpoint(key + ".jdbc-url", id.value() + "-replica-" + site.value() + "-" + i, id, site,
                    Role.REPLICA, text(replica, "jdbc-url"),
                    replica.containsKey("username") ? text(replica, "username") : username,
                    replica.containsKey("password") ? text(replica, "password") : password));
        }
        return endpoints;
    }

    private static EndpointConfig endpoint(String urlKey, String name, PartitionId partition, SiteId site, Role role,
                                           String jdbcUrl, String username, String password) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new DomicileConfigurationException(urlKey, jdbcUrl, "a jdbc:postgresql: URL is required");
        }
        return new EndpointConfig(name, partition, site, role, jdbcUrl, username, password);
    }

    private static void checkKeys(String prefix, Map<String, Object> values, Set<String> allowed) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new DomicileConfigurationException(prefix + "." + key, values.get(key),
                        "unknown key; allowed here: " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    private static String text(Map<String, Object> values, String key) {
        Object value = values.get(key);
        return value == null ? null : value.toString();
    }

    private static SiteId declaredSite(String key, String value, Set<SiteId> declared) {
        SiteId site = siteId(key, value);
        if (!declared.contains(site)) {
            throw new DomicileConfigurationException(key, value,
                    "not a declared site (domicile.sites.*): " + declared);
        }
        return site;
    }

    private static SiteId siteId(String key, String value) {
        if (value == null) {
            throw new DomicileConfigurationException(key, null, "required");
        }
        try {
            return SiteId.of(value);
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException(key, value, e.getMessage());
        }
    }

    private static PartitionMapDefinition build(PartitionMapDefinition.Builder definition) {
        try {
            return definition.build();
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException("domicile.partitions", "(all)", e.getMessage());
        }
    }

    private static RouterConfig routerConfig(RouterConfig.Builder builder, RouterProperties router,
                                             List<PartitionProperties> partitions) {
        positive("domicile.router.probe-interval", router.probeInterval());
        positive("domicile.router.probe-timeout", router.probeTimeout());
        positive("domicile.router.max-down-backoff", router.maxDownBackoff());
        if (router.readYourWritesWait().isNegative()) {
            throw new DomicileConfigurationException("domicile.router.read-your-writes-wait",
                    router.readYourWritesWait(), "must be zero or positive");
        }
        if (router.connectionTimeout().toMillis() < 250) {
            throw new DomicileConfigurationException("domicile.router.connection-timeout",
                    router.connectionTimeout(), "must be at least 250ms (HikariCP's minimum)");
        }
        if (router.maxPoolSize() < 1) {
            throw new DomicileConfigurationException("domicile.router.max-pool-size", router.maxPoolSize(),
                    "must be at least 1");
        }
        builder.readYourWritesWait(router.readYourWritesWait()).fallbackToPrimary(router.fallbackToPrimary())
                .probeInterval(router.probeInterval()).probeTimeout(router.probeTimeout())
                .maxDownBackoff(router.maxDownBackoff()).maxPoolSize(router.maxPoolSize())
                .connectionTimeout(router.connectionTimeout());
        String defaultPartition = router.defaultPartition();
        if (defaultPartition != null) {
            if (partitions.stream().noneMatch(p -> p.name().equals(defaultPartition))) {
                throw new DomicileConfigurationException("domicile.router.default-partition", defaultPartition,
                        "not a declared partition (domicile.partitions.*)");
            }
            builder.defaultPartition(PartitionId.of(defaultPartition));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException("domicile.partitions", "(all)", e.getMessage());
        }
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new DomicileConfigurationException(key, value, "must be positive");
        }
    }

    private static Consistency consistency(RouterProperties router) {
        Duration bound = router.maxStaleness();
        if (router.defaultConsistency() == Consistency.Level.BOUNDED_STALENESS) {
            if (bound == null || bound.isNegative() || bound.isZero()) {
                throw new DomicileConfigurationException("domicile.router.max-staleness", bound,
                        "a positive duration is required when default-consistency is BOUNDED_STALENESS");
            }
            return Consistency.boundedStaleness(bound);
        }
        if (bound != null) {
            throw new DomicileConfigurationException("domicile.router.max-staleness", bound,
                    "applies only when default-consistency is BOUNDED_STALENESS, which is "
                            + router.defaultConsistency());
        }
        return new Consistency(router.defaultConsistency(), Duration.ZERO);
    }
}
