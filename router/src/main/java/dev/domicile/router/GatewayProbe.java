package dev.domicile.router;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the monitor probes a CockroachDB gateway ({@link Dialect#COCKROACHDB}): CockroachDB has no recovery mode and no
 * WAL position, so the probe asks for the node id (the node answers) and its locality region, which must be the
 * region of the gateway's configured site ({@link CockroachRegions}), else the gateway is {@code WRONG_ROLE}: a
 * gateway in another region would make "local" reads remote. A second statement measures how stale a follower read
 * is there ({@code now() - follower_read_timestamp()}); when it fails (e.g. follower reads are not licensed) the
 * gateway stays up and serves stale reads at the present time instead. Thread-safe.
 */
final class GatewayProbe {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayProbe.class);

    private final CockroachRegions regions;
    private final Map<String, Long> followerStalenessNanos = new ConcurrentHashMap<>();
    private final Map<String, String> followerErrors = new ConcurrentHashMap<>();

    GatewayProbe(CockroachRegions regions) {
        this.regions = regions;
    }

    EndpointState probe(EndpointConfig gateway, Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            String region;
            try (ResultSet rs = statement.executeQuery(CockroachSql.GATEWAY_PROBE)) {
                rs.next();
                region = rs.getString(2);
            }
            measureFollowerReads(gateway, statement);
            String expected = regions.regionOf(gateway.site());
            String error = expected.equals(region) ? null
                    : "configured in site " + gateway.site() + " (region '" + expected + "') but "
                    + (region == null ? "the node has no region locality (--locality=region=...)"
                    : "the node's locality region is '" + region + "'");
            return new EndpointState(gateway, error == null ? EndpointState.Health.UP : EndpointState.Health.WRONG_ROLE,
                    false, 0, 0, System.nanoTime(), 0, error);
        }
    }

    private void measureFollowerReads(EndpointConfig gateway, Statement statement) {
        try (ResultSet rs = statement.executeQuery(CockroachSql.FOLLOWER_READ_STALENESS)) {
            rs.next();
            followerStalenessNanos.put(gateway.name(), Math.max(0, rs.getLong(1)) * 1000);
            followerErrors.remove(gateway.name());
        } catch (SQLException e) {
            followerStalenessNanos.remove(gateway.name());
            if (!String.valueOf(e.getMessage()).equals(followerErrors.put(gateway.name(),
                    String.valueOf(e.getMessage())))) {
                LOG.info("gateway {} cannot serve follower reads; its stale reads run at the present time: {}",
                        gateway.name(), e.getMessage());
            }
        }
    }

    /** The staleness of a follower read on {@code gateway} at its last probe, in nanoseconds; -1 if unavailable. */
    long followerStalenessNanos(String gateway) {
        Long nanos = followerStalenessNanos.get(gateway);
        return nanos == null ? -1 : nanos;
    }
}
