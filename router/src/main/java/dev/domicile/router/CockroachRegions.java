package dev.domicile.router;

import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How partitions map to CockroachDB regions ({@link Dialect#COCKROACHDB}): a partition's rows belong to the region
 * of the partition's home site in the partition map in force, and a site's region is named like the site unless
 * {@link RouterConfig.Builder#region} names it otherwise. That region is the value of the {@code crdb_region} column
 * of a {@code REGIONAL BY ROW} table ({@link CockroachSql#regionalByRow}), and the region the gateways of that site
 * must report ({@code --locality=region=...}), which the monitor verifies.
 *
 * <p>Write {@code crdb_region} explicitly: its default is the gateway's region, and the router sends writes to the
 * local gateway, so without it a row would be homed where the request arrived rather than where its user lives.
 *
 * <pre>{@code
 * CockroachRegions regions = CockroachRegions.of(config);
 * router.forUser("alice").run(() -> {
 *     try (Connection c = dataSource.getConnection();
 *          PreparedStatement insert = c.prepareStatement("INSERT INTO notes (owner, body, crdb_region) VALUES (?, ?, "
 *                  + CockroachSql.REGION_PARAMETER + ")")) {
 *         insert.setString(1, "alice");
 *         insert.setString(2, "hello");
 *         insert.setString(3, regions.regionOf(Routing.current().orElseThrow()));   // alice's home region
 *         insert.executeUpdate();
 *     }
 * });
 * }</pre>
 *
 * <p>When a partition's home moves (a new map version), its existing rows keep their old {@code crdb_region} until
 * the application updates it; CockroachDB then moves them. Immutable and thread-safe.
 */
public final class CockroachRegions {

    /** Region names the router accepts: they need no quoting beyond double quotes in DDL and single in literals. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final Map<SiteId, String> regions;

    private CockroachRegions(Map<SiteId, String> regions) {
        this.regions = regions;
    }

    /**
     * The mapping of {@code config}.
     *
     * @throws IllegalArgumentException if its dialect is not {@link Dialect#COCKROACHDB}
     */
    public static CockroachRegions of(RouterConfig config) {
        if (config.dialect() != Dialect.COCKROACHDB) {
            throw new IllegalArgumentException("CockroachDB regions need dialect COCKROACHDB, the dialect is "
                    + config.dialect());
        }
        return new CockroachRegions(config.regions());
    }

    /** The CockroachDB region of {@code site}. */
    public String regionOf(SiteId site) {
        String named = regions.get(Objects.requireNonNull(site, "site"));
        return named != null ? named : site.value();
    }

    /** The {@code crdb_region} of the rows of a user whose home is {@code home}: its site's region. */
    public String regionOf(Home home) {
        return regionOf(home.site());
    }

    /** The {@code crdb_region} of the rows of the context's user. */
    public String regionOf(RoutingContext context) {
        return regionOf(context.home());
    }

    /**
     * The {@code crdb_region} of the rows of {@code partition} in {@code map}.
     *
     * @throws IllegalArgumentException if the map has no such partition
     */
    public String regionOf(PartitionId partition, PartitionMap map) {
        return regionOf(map.partition(partition).home());
    }

    /** The regions of {@code map}'s sites, in the map's order: the regions the database needs. */
    public List<String> regionsOf(PartitionMap map) {
        return map.sites().stream().map(this::regionOf).distinct().toList();
    }

    /** Checks a COCKROACHDB configuration: gateways only, unique names, valid region names, no degraded reads. */
    static void validate(List<EndpointConfig> endpoints, Map<SiteId, String> regions,
                         Optional<Duration> degradedReadStaleness) {
        Set<String> names = new HashSet<>();
        for (EndpointConfig endpoint : endpoints) {
            if (!names.add(endpoint.name())) {
                throw new IllegalArgumentException("endpoints: duplicate endpoint name '" + endpoint.name() + "'");
            }
            if (endpoint.role() != Role.GATEWAY) {
                throw new IllegalArgumentException("endpoint " + endpoint.name() + ": dialect COCKROACHDB takes"
                        + " gateways only (EndpointConfig.gateway), was a " + endpoint.role() + " of "
                        + endpoint.partition());
            }
        }
        regions.forEach((site, region) -> {
            if (region == null || !NAME.matcher(region).matches()) {
                throw new IllegalArgumentException("region of site " + site + " '" + region + "' is invalid: use 1 to"
                        + " 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
        });
        for (EndpointConfig endpoint : endpoints) {
            if (!regions.containsKey(endpoint.site()) && !NAME.matcher(endpoint.site().value()).matches()) {
                throw new IllegalArgumentException("site " + endpoint.site() + " of gateway " + endpoint.name()
                        + " is not a valid region name; name its region with RouterConfig.Builder.region");
            }
        }
        if (degradedReadStaleness.isPresent()) {
            throw new IllegalArgumentException("degradedReads " + degradedReadStaleness.get() + ": applies to dialect"
                    + " POSTGRESQL only; CockroachDB has no replica apart from the cluster to degrade to");
        }
    }
}
