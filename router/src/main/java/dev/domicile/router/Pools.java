package dev.domicile.router;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One HikariCP pool per endpoint, created on first use and named {@code domicile-<site>-<partition>-<role>-<name>}
 * ({@code domicile-<site>-gateway-<name>-<variant>} for the session variants of a CockroachDB gateway).
 * Pools start even when their server is down ({@code initializationFailTimeout = -1}), so a router can open while
 * a site is unreachable.
 */
final class Pools implements AutoCloseable {

    private final RouterConfig config;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Pools(RouterConfig config) {
        this.config = config;
    }

    HikariDataSource pool(EndpointConfig endpoint) {
        HikariDataSource pool = pools.get(endpoint.name());
        if (pool != null) {
            return pool;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the RoutingDataSource is closed");
            }
            return pools.computeIfAbsent(endpoint.name(), n -> create(endpoint, poolName(endpoint), null));
        }
    }

    /**
     * A further pool of {@code endpoint}, keyed and named with {@code variant}, whose connections run
     * {@code initSql} once when opened (a session setting every borrower of that pool shares), e.g. a CockroachDB
     * gateway's follower-read sessions.
     */
    HikariDataSource pool(EndpointConfig endpoint, String variant, String initSql) {
        String key = endpoint.name() + "/" + variant;
        HikariDataSource pool = pools.get(key);
        if (pool != null) {
            return pool;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the RoutingDataSource is closed");
            }
            return pools.computeIfAbsent(key, k -> create(endpoint, poolName(endpoint) + "-" + variant, initSql));
        }
    }

    private HikariDataSource create(EndpointConfig endpoint, String name, String initSql) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        if (initSql != null) {
            hikari.setConnectionInitSql(initSql);
        }
        hikari.setJdbcUrl(endpoint.jdbcUrl());
        hikari.setUsername(endpoint.username());
        hikari.setPassword(endpoint.password());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        hikari.setInitializationFailTimeout(-1);
        // Read-only must hold in auto-commit mode too, so that a read that fell back to a primary cannot write.
        hikari.addDataSourceProperty("readOnlyMode", "always");
        hikari.addDataSourceProperty("ApplicationName", "domicile");
        return new HikariDataSource(hikari);
    }

    static String poolName(EndpointConfig endpoint) {
        return "domicile-" + endpoint.site().value() + "-"
                + (endpoint.partition() == null ? "" : endpoint.partition().value() + "-")
                + endpoint.role().name().toLowerCase(java.util.Locale.ROOT) + "-" + endpoint.name();
    }

    /** The pools created so far. */
    List<HikariDataSource> created() {
        return List.copyOf(pools.values());
    }

    @Override
    public synchronized void close() {
        closed = true;
        pools.values().forEach(HikariDataSource::close);
    }
}
