package dev.domicile.micronaut;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.router.EndpointState;
import dev.domicile.router.RoutingDataSource;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * Reports what this site can serve, for load balancers and DNS health checks: per partition whether its primary is
 * usable and how many replicas in this site are up and fresh, from the routing monitor's last probes (no database
 * round trip per check). DOWN when the primary of a partition homed in this site is not usable (this site cannot take
 * its own users' writes); UP otherwise. Named {@code domicile} in {@code /health}.
 */
@Singleton
final class DomicileHealthIndicator implements HealthIndicator {

    static final String NAME = "domicile";

    private final RoutingDataSource dataSource;
    private final Duration maxReplicaLag;
    private final Clock clock;

    DomicileHealthIndicator(RoutingDataSource dataSource, HealthProperties properties) {
        this.dataSource = dataSource;
        this.maxReplicaLag = properties.maxReplicaLag();
        this.clock = Clock.systemUTC();
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(result());
    }

    HealthResult result() {
        SiteId localSite = dataSource.router().localSite();
        PartitionMap map = dataSource.router().map();
        List<EndpointState> states = dataSource.endpointStates();
        long nowMicros = ChronoUnit.MICROS.between(java.time.Instant.EPOCH, clock.instant());
        Map<String, PartitionService> partitions = new LinkedHashMap<>();
        boolean down = false;
        for (Partition partition : map.partitions()) {
            PartitionService service = PartitionService.of(partition, localSite, states, nowMicros, maxReplicaLag);
            partitions.put(service.partition(), service);
            down |= partition.home().equals(localSite) && !service.primaryUsable();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("localSite", localSite.value());
        details.put("mapVersion", map.version());
        details.put("partitions", partitions);
        return HealthResult.builder(NAME, down ? HealthStatus.DOWN : HealthStatus.UP).details(details).build();
    }
}
