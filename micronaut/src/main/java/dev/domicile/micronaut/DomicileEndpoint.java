package dev.domicile.micronaut;

import dev.domicile.partition.PartitionMapStore;
import dev.domicile.router.RoutingDataSource;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The management endpoint {@code /domicile} (JSON): the local site, the partition map version, every endpoint with
 * its role, health and lag, and the routing decisions made so far by reason and by token outcome. Sensitive by
 * default, like every Micronaut endpoint: set {@code endpoints.domicile.sensitive: false} to open it.
 */
@Endpoint(id = "domicile")
final class DomicileEndpoint {

    private final RoutingDataSource dataSource;
    private final PartitionMapStore store;

    DomicileEndpoint(RoutingDataSource dataSource, PartitionMapStore store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    /** The state as it stands now. */
    @Read
    public Report report() {
        long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return new Report(dataSource.router().localSite().value(), store.current().version(), store.stale(),
                EndpointView.of(dataSource.endpointStates(), nowMicros), dataSource.decisionCounts(),
                dataSource.tokenCounts());
    }

    /**
     * What {@code GET /domicile} answers.
     *
     * @param localSite      this process's site
     * @param mapVersion     the partition map version in force
     * @param mapStale       whether the map store cannot confirm that version is the latest
     * @param endpoints      every endpoint, in configuration order
     * @param decisions      routing decisions so far, by reason
     * @param tokenOutcomes  routing decisions so far, by what became of the caller's causal token
     */
    record Report(String localSite, long mapVersion, boolean mapStale, List<EndpointView> endpoints,
                  Map<?, Long> decisions, Map<?, Long> tokenOutcomes) {
    }
}
