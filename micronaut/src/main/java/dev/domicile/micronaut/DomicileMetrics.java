package dev.domicile.micronaut;

import dev.domicile.authority.Authority;
import dev.domicile.authority.AuthorityListener;
import dev.domicile.partition.Partition;
import dev.domicile.router.EndpointState;
import dev.domicile.router.Intent;
import dev.domicile.router.Role;
import dev.domicile.router.Router;
import dev.domicile.router.RoutingDataSource;
import dev.domicile.router.RoutingDecision;
import dev.domicile.router.RoutingListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Domicile's meters, registered when the application has a Micrometer {@link MeterRegistry} (add
 * {@code micronaut-micrometer-core} or a registry module); without one this bean does not exist and nothing is
 * measured.
 *
 * <ul>
 *   <li>{@value #DECISIONS} (counter; tags {@code reason}, {@code intent}): routing decisions, from the data source's
 *       {@link RoutingListener} (pre-built counters: no lookup or allocation per decision);
 *   <li>{@value #SENT_AWAY} (counter; {@code policy}, {@code reason}, {@code target}): requests forwarded, redirected
 *       or rejected because they must run at another site;
 *   <li>{@value #REFUSED} (counter; {@code reason}: {@code refused}, {@code home-unavailable}, {@code split-brain},
 *       {@code authority-unavailable}, {@code fenced}): writes answered 503;
 *   <li>{@value #FENCED} (counter): of those, writes the database fenced (SQLSTATE {@code DM001});
 *   <li>{@value #AUTHORITY_CHANGES} (counter; {@code partition}, {@code owner}): authority changes seen (failovers,
 *       hand-overs), and the gauges {@value #EPOCH} and {@value #WRITABLE} per {@code partition} and
 *       {@value #LIVE}, with authority on;
 *   <li>{@value #LAG} (gauge, seconds; {@code endpoint}, {@code partition}, {@code site}): per replica, its staleness
 *       bound from the monitor's last probes (as in {@code /domicile}); NaN while it cannot be told.
 * </ul>
 *
 * Thread-safe. Detaches its listeners when the context stops.
 */
@Context
@Requires(classes = MeterRegistry.class)
@Requires(beans = MeterRegistry.class)
final class DomicileMetrics implements DomicileEvents {

    static final String DECISIONS = "domicile.routing.decisions";
    static final String SENT_AWAY = "domicile.forwarding.sent";
    static final String REFUSED = "domicile.writes.refused";
    static final String FENCED = "domicile.writes.fenced";
    static final String AUTHORITY_CHANGES = "domicile.authority.changes";
    static final String EPOCH = "domicile.authority.epoch";
    static final String WRITABLE = "domicile.authority.writable";
    static final String LIVE = "domicile.authority.live";
    static final String LAG = "domicile.replica.lag";

    private final MeterRegistry registry;
    private final Router router;
    private final Optional<RoutingDataSource> dataSource;
    private final Optional<DomicileAuthority> authority;
    private final Map<RoutingDecision.Reason, Map<Intent, Counter>> decisions =
            new EnumMap<>(RoutingDecision.Reason.class);
    private final Counter fenced;
    private final RoutingListener onDecision = this::count;
    private final AuthorityListener onAuthority = new AuthorityListener() {
        @Override
        public void onChange(Authority previous, Authority current) {
            if (previous != null) {
                registry.counter(AUTHORITY_CHANGES, "partition", current.partition().value(), "owner",
                        current.owner().value()).increment();
            }
        }
    };

    DomicileMetrics(MeterRegistry registry, Router router, @Nullable RoutingDataSource dataSource,
                    @Nullable DomicileAuthority authority) {
        this.registry = registry;
        this.router = router;
        this.dataSource = Optional.ofNullable(dataSource);
        this.authority = Optional.ofNullable(authority);
        for (RoutingDecision.Reason reason : RoutingDecision.Reason.values()) {
            Map<Intent, Counter> byIntent = new EnumMap<>(Intent.class);
            for (Intent intent : Intent.values()) {
                byIntent.put(intent, Counter.builder(DECISIONS).description("routing decisions")
                        .tag("reason", reason.name()).tag("intent", intent.name()).register(registry));
            }
            decisions.put(reason, byIntent);
        }
        this.fenced = Counter.builder(FENCED).description("writes refused by the database fence (DM001)")
                .register(registry);
        registerLag();
        this.authority.ifPresent(this::registerAuthority);
        this.dataSource.ifPresent(routing -> routing.addListener(onDecision));
    }

    private void count(RoutingDecision decision) {
        Intent intent = decision.intent() == null ? Intent.WRITE : decision.intent();
        decisions.get(decision.reason()).get(intent).increment();
    }

    private void registerLag() {
        List<EndpointState> states = dataSource.map(RoutingDataSource::endpointStates).orElse(List.of());
        for (EndpointState state : states) {
            var endpoint = state.endpoint();
            if (endpoint.role() != Role.REPLICA) {
                continue;
            }
            Gauge.builder(LAG, this, metrics -> metrics.lagSeconds(endpoint.name()))
                    .description("replica staleness bound from the last probes").baseUnit("seconds")
                    .tag("endpoint", endpoint.name()).tag("partition", endpoint.partition().value())
                    .tag("site", endpoint.site().value()).register(registry);
        }
    }

    private double lagSeconds(String endpoint) {
        List<EndpointState> states = dataSource.map(RoutingDataSource::endpointStates).orElse(List.of());
        long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return states.stream().filter(s -> s.endpoint().name().equals(endpoint)).findFirst()
                .flatMap(s -> EndpointView.lag(s, EndpointView.primaryOf(s, states), nowMicros))
                .map(lag -> lag.toNanos() / 1e9).orElse(Double.NaN);
    }

    private void registerAuthority(DomicileAuthority running) {
        Gauge.builder(LIVE, running, a -> a.watcher().snapshot().live() ? 1 : 0)
                .description("1 while this site's authority view is live (ZooKeeper reachable)").register(registry);
        for (Partition partition : router.map().partitions()) {
            var id = partition.id();
            Gauge.builder(EPOCH, running, a -> a.watcher().authority(id).map(Authority::epoch).orElse(0L))
                    .description("the partition's authority epoch as known here").tag("partition", id.value())
                    .register(registry);
            Gauge.builder(WRITABLE, running, a -> a.admission().admits(id) ? 1 : 0)
                    .description("1 while this site may write the partition").tag("partition", id.value())
                    .register(registry);
        }
        running.watcher().addListener(onAuthority);
    }

    @Override
    public void onSentAway(Placement placement, ForwardingPolicy policy) {
        registry.counter(SENT_AWAY, "policy", policy.name(), "reason", placement.reason().name(), "target",
                placement.site().value()).increment();
    }

    @Override
    public void onUnavailable(Placement placement) {
        registry.counter(REFUSED, "reason", "authority-unavailable").increment();
    }

    @Override
    public void onWriteFailed(String kind, int status) {
        registry.counter(REFUSED, "reason", kind).increment();
        if (kind.equals("fenced")) {
            fenced.increment();
        }
    }

    /** Detaches from the data source and the watcher. */
    @PreDestroy
    void close() {
        dataSource.ifPresent(routing -> routing.removeListener(onDecision));
        authority.ifPresent(a -> a.watcher().removeListener(onAuthority));
    }
}
