package dev.domicile.micronaut;

import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapStore;
import dev.domicile.router.Router;
import dev.domicile.router.RoutingDataSource;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The management endpoint {@code /domicile} (JSON): the local site, the partition map version, with authority each
 * partition's owner, epoch, since and reason and what this site may write, every endpoint with its role, health and
 * lag, and the routing decisions made so far by reason and by token outcome. Sensitive by
 * default, like every Micronaut endpoint: set {@code endpoints.domicile.sensitive: false} to open it.
 */
@Endpoint(id = "domicile")
final class DomicileEndpoint {

    private final Router router;
    private final RoutingDataSource dataSource;
    private final PartitionMapStore store;
    private final DomicileAuthority authority;

    DomicileEndpoint(Router router, @Nullable RoutingDataSource dataSource, PartitionMapStore store,
                     @Nullable DomicileAuthority authority) {
        this.router = router;
        this.dataSource = dataSource;
        this.store = store;
        this.authority = authority;
    }

    /** The state as it stands now. */
    @Read
    public Report report() {
        long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        PartitionMap map = store.current();
        if (dataSource == null) { // an edge-only site without databases
            return new Report(router.localSite().value(), map.version(), store.stale(),
                    authority == null ? null : AuthorityView.of(authority, map), List.of(), Map.of(), Map.of());
        }
        return new Report(router.localSite().value(), map.version(), store.stale(),
                authority == null ? null : AuthorityView.of(authority, map),
                EndpointView.of(dataSource.endpointStates(), nowMicros), dataSource.decisionCounts(),
                dataSource.tokenCounts());
    }

    /**
     * What {@code GET /domicile} answers.
     *
     * @param localSite      this process's site
     * @param mapVersion     the partition map version in force
     * @param mapStale       whether the map store cannot confirm that version is the latest
     * @param authority      per partition its owner, epoch, since, reason and lease, and this site's admission state;
     *                       null without authority ({@code domicile.zookeeper.connect-string} not set)
     * @param endpoints      every endpoint, in configuration order
     * @param decisions      routing decisions so far, by reason
     * @param tokenOutcomes  routing decisions so far, by what became of the caller's causal token
     */
    record Report(String localSite, long mapVersion, boolean mapStale, @Nullable AuthorityView authority,
                  List<EndpointView> endpoints,
                  Map<?, Long> decisions, Map<?, Long> tokenOutcomes) {
    }
}
