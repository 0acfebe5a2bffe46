package dev.domicile.micronaut;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.router.EndpointState;
import dev.domicile.router.Router;
import dev.domicile.router.RoutingDataSource;
import io.micronaut.core.annotation.Nullable;
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
import java.util.Optional;
import org.reactivestreams.Publisher;

/**
 * Reports what this site can serve, for load balancers and DNS health checks: per partition whether its primary is
 * usable and how many replicas in this site are up and fresh, from the routing monitor's last probes (no database
 * round trip per check); with authority, also whether this site's ZooKeeper view is live and which partitions it may
 * write. DOWN when a partition this site owns (with authority: the authority's owner; without: the home site) has no
 * database to write (with authority, a replica promoted by a failover counts, as the router writes there), or, with authority, when the site has lost ZooKeeper (it may write nothing); UP otherwise.
 * At an edge-only site without databases there is nothing to probe: it reports {@code databases: none} and is DOWN
 * only for a lost authority view. Named {@code domicile} in {@code /health}.
 */
@Singleton
final class DomicileHealthIndicator implements HealthIndicator {

    static final String NAME = "domicile";

    private final Router router;
    private final Optional<RoutingDataSource> dataSource;
    private final Duration maxReplicaLag;
    private final Clock clock;
    private final Optional<DomicileAuthority> authority;

    DomicileHealthIndicator(Router router, @Nullable RoutingDataSource dataSource, HealthProperties properties,
                            @Nullable DomicileAuthority authority) {
        this.router = router;
        this.dataSource = Optional.ofNullable(dataSource);
        this.authority = Optional.ofNullable(authority);
        this.maxReplicaLag = properties.maxReplicaLag();
        this.clock = Clock.systemUTC();
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(result());
    }

    HealthResult result() {
        SiteId localSite = router.localSite();
        PartitionMap map = router.map();
        List<EndpointState> states = dataSource.map(RoutingDataSource::endpointStates).orElse(List.of());
        long nowMicros = ChronoUnit.MICROS.between(java.time.Instant.EPOCH, clock.instant());
        Map<String, PartitionService> partitions = new LinkedHashMap<>();
        boolean down = false;
        for (Partition partition : dataSource.isPresent() ? map.partitions() : List.<Partition>of()) {
            PartitionService service = PartitionService.of(partition, localSite, states, nowMicros, maxReplicaLag,
                    authority.isPresent());
            partitions.put(service.partition(), service);
            SiteId owner = authority.flatMap(a -> a.owner(partition.id())).orElse(partition.home());
            down |= owner.equals(localSite) && !service.primaryUsable();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("localSite", localSite.value());
        details.put("mapVersion", map.version());
        if (authority.isPresent()) {
            AuthorityView view = AuthorityView.of(authority.get(), map);
            details.put("zooKeeper", Map.of("live", view.live(), "state", view.state()));
            Map<String, Boolean> writable = new LinkedHashMap<>();
            view.partitions().forEach(p -> writable.put(p.partition(), p.writable()));
            details.put("writable", writable);
            down |= !view.live();
        }
        if (dataSource.isPresent()) {
            details.put("partitions", partitions);
        } else {
            details.put("databases", "none (edge-only site: every request with a user runs at its home site)");
        }
        return HealthResult.builder(NAME, down ? HealthStatus.DOWN : HealthStatus.UP).details(details).build();
    }
}
