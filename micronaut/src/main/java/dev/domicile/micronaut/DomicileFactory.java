package dev.domicile.micronaut;

import dev.domicile.partition.FilePartitionMapStore;
import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapStore;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.Role;
import dev.domicile.router.Router;
import dev.domicile.router.RouterConfig;
import dev.domicile.router.RoutingDataSource;
import dev.domicile.session.RegionalSessionStore;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The Domicile beans: the validated {@link DomicileConfig}, the {@link PartitionMapStore}, the
 * {@link DomicileAuthority} when ZooKeeper is configured, the {@link Router}, and the {@link RoutingDataSource},
 * which is also the application's {@link javax.sql.DataSource} (at an edge-only site without databases, an
 * {@link EdgeOnlyDataSource} instead). All are created when the
 * context starts ({@link Context}), so a bad configuration stops start-up; the store and the data source are closed
 * when the context stops.
 */
@Factory
final class DomicileFactory {

    @Context
    DomicileConfig domicileConfig(DomicileProperties domicile, List<SiteProperties> sites,
                                  List<PartitionProperties> partitions, RouterProperties router, MapProperties map) {
        return ConfigValidation.validate(domicile, sites, partitions, router, map);
    }

    /**
     * The map file's store if {@code domicile.map.file} is set (created from the configuration when the file does not
     * exist), else a fixed map built from the configuration.
     *
     * @throws DomicileConfigurationException if the file's map has a partition without a configured primary, or does
     *                                        not know the local site
     */
    @Context
    @Bean(preDestroy = "close")
    PartitionMapStore partitionMapStore(DomicileConfig config) {
        if (config.mapFile().isEmpty()) {
            return new ConfiguredPartitionMapStore(config.mapDefinition());
        }
        Path file = config.mapFile().get();
        PartitionMapStore store = Files.exists(file) ? FilePartitionMapStore.open(file)
                : FilePartitionMapStore.create(file, config.mapDefinition());
        try {
            checkCovered(store.current(), config, file);
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The forwarding configuration ({@code domicile.forwarding.*} with {@code tls.*}, {@code domicile.edge-only}),
     * checked at start-up (the TLS stores are loaded once to check them).
     *
     * @throws DomicileConfigurationException if a forwarding rule is broken
     */
    @Context
    ForwardingConfig forwardingConfig(ForwardingProperties forwarding, ForwardingTlsProperties tls,
                                      DomicileConfig config, ZooKeeperProperties zooKeeper) {
        return ForwardingValidation.validate(forwarding, tls, config.edgeOnly(), config,
                zooKeeper.connectString() != null);
    }

    /** The clients that forward requests to home sites; none unless the policy is FORWARD. Closed on shutdown. */
    @Singleton
    @Bean(preDestroy = "close")
    HomeProxy homeProxy(ForwardingConfig forwarding, DomicileConfig config, FilterProperties filter) {
        return new HomeProxy(forwarding, config.localSite(), filter.userHeader());
    }

    /**
     * The regional session store behind Micronaut's {@code Session}, when {@code domicile.session.secret} is set;
     * started (its local Redis reached) with the context, closed when it stops.
     *
     * @throws DomicileConfigurationException if a session rule is broken
     */
    @Context
    @Requires(property = "domicile.session.secret")
    @Bean(preDestroy = "close")
    RegionalSessionStore regionalSessionStore(SessionProperties session, DomicileConfig config) {
        return RegionalSessionStore.start(SessionConfigs.of(session, config));
    }

    /**
     * The authority configuration ({@code domicile.zookeeper.*}), checked at start-up; present only when
     * {@code domicile.zookeeper.connect-string} is set.
     *
     * @throws DomicileConfigurationException if a ZooKeeper rule is broken
     */
    @Context
    @Requires(property = "domicile.zookeeper.connect-string")
    AuthoritySettings authoritySettings(ZooKeeperProperties zooKeeper, DomicileConfig config) {
        return AuthorityValidation.validate(zooKeeper, config).orElseThrow();
    }

    /**
     * The Curator client, authority watcher, write admission and site lease, when
     * {@code domicile.zookeeper.connect-string} is set; closed after the data source on shutdown.
     */
    @Context
    @Requires(property = "domicile.zookeeper.connect-string")
    @Bean(preDestroy = "close")
    DomicileAuthority domicileAuthority(AuthoritySettings settings, DomicileConfig config) {
        return DomicileAuthority.start(settings, config);
    }

    /**
     * The routing data source, probed once before start-up goes on; its writes are admitted and fenced by the
     * authority when there is one. Closed (pools, monitor) on shutdown. Absent at an edge-only site that declares no
     * database ({@link DatabaseLessEdge}).
     */
    @Context
    @Singleton
    @Requires(condition = DatabaseLessEdge.WithDatabases.class)
    @Bean(preDestroy = "close")
    RoutingDataSource routingDataSource(DomicileConfig config, PartitionMapStore store,
                                        @Nullable DomicileAuthority authority) {
        RouterConfig router = config.router().orElseThrow(() -> new IllegalStateException(
                "no databases configured, yet the properties declare some"));
        if (authority == null) {
            return RoutingDataSource.create(router, store::current, config.defaultConsistency(), Clock.systemUTC());
        }
        return RoutingDataSource.create(router, store::current, config.defaultConsistency(), Clock.systemUTC(),
                authority.admission());
    }

    /**
     * The application's {@code DataSource} at an edge-only site that declares no database: one that refuses every
     * connection ({@link EdgeOnlyDataSource}). Absent wherever there is a {@link RoutingDataSource}.
     */
    @Context
    @Singleton
    @Requires(condition = DatabaseLessEdge.class)
    DataSource edgeOnlyDataSource(DomicileConfig config) {
        if (config.router().isPresent()) {
            throw new IllegalStateException("databases configured, yet the properties declare none");
        }
        return new EdgeOnlyDataSource(config.localSite().value());
    }

    /**
     * The router that resolves users' homes and makes routing contexts: the routing data source's, or at an
     * edge-only site without databases one over the same partition map.
     */
    @Context
    @Singleton
    Router router(DomicileConfig config, PartitionMapStore store, @Nullable RoutingDataSource dataSource) {
        return dataSource != null ? dataSource.router()
                : new Router(store::current, config.localSite(), config.defaultConsistency());
    }

    private static void checkCovered(PartitionMap map, DomicileConfig config, Path file) {
        if (!map.sites().contains(config.localSite())) {
            throw new DomicileConfigurationException("domicile.map.file", file,
                    "the map's sites " + map.sites() + " do not include domicile.local-site " + config.localSite());
        }
        if (config.router().isEmpty()) {
            return; // an edge-only site without databases routes to none
        }
        Set<PartitionId> withPrimary = config.router().get().endpoints().stream()
                .filter(e -> e.role() == Role.PRIMARY).map(EndpointConfig::partition).collect(Collectors.toSet());
        for (Partition partition : map.partitions()) {
            if (!withPrimary.contains(partition.id())) {
                throw new DomicileConfigurationException("domicile.map.file", file, "the map's partition "
                        + partition.id() + " has no domicile.partitions." + partition.id() + ".primary.jdbc-url");
            }
        }
    }
}
