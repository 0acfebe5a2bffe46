package dev.domicile.testkit;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.KillSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every provider shares: lookups over the declared endpoints, links through fault proxies, and the
 * operations that are plain SQL on a server.
 */
abstract class AbstractTopology implements Topology {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractTopology.class);

    private final TopologySpec spec;
    private final List<Endpoint> endpoints;
    private final Services services;
    private final Map<String, FaultProxy> proxies = new ConcurrentHashMap<>();

    AbstractTopology(TopologySpec spec, List<Endpoint> endpoints, Services services) {
        this.spec = spec;
        this.endpoints = List.copyOf(endpoints);
        this.services = services;
    }

    TopologySpec spec() {
        return spec;
    }

    Services services() {
        return services;
    }

    private List<InetSocketAddress> zooKeeperAddresses() {
        return services.zooKeeper().addresses();
    }

    @Override
    public String zooKeeperConnectString() {
        return services.zooKeeper().connectString();
    }

    @Override
    public RedisNode redis(String site) {
        knownSite(site);
        return services.redis(site).node();
    }

    @Override
    public void stopRedis(String site) {
        knownSite(site);
        RedisProcess process = services.redis(site);
        synchronized (process) {
            process.stop();
        }
    }

    @Override
    public void killRedis(String site) {
        knownSite(site);
        RedisProcess process = services.redis(site);
        synchronized (process) {
            process.kill();
        }
    }

    @Override
    public void startRedis(String site) {
        knownSite(site);
        RedisProcess process = services.redis(site);
        synchronized (process) {
            if (!process.running()) {
                process.start();
            }
        }
    }

    @Override
    public void stopZooKeeper(int index) {
        services.zooKeeper().stop(index);
    }

    @Override
    public void startZooKeeper(int index) {
        services.zooKeeper().start(index);
    }

    /** Stops Redis, ZooKeeper and every proxy; subclasses stop their databases first. */
    void closeSharedServers() {
        services.close(AbstractTopology::quietly);
        proxies.values().forEach(FaultProxy::close);
        proxies.clear();
    }

    static void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("could not {} while closing the topology: {}", what, e.toString());
        }
    }

    @Override
    public List<String> sites() {
        return spec.sites().stream().map(TopologySpec.Site::name).toList();
    }

    @Override
    public List<String> partitions() {
        return spec.sites().stream().map(TopologySpec.Site::partition).toList();
    }

    @Override
    public String homePartition(String site) {
        return spec.sites().stream().filter(s -> s.name().equals(site)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown site '" + site + "'; sites: " + sites()))
                .partition();
    }

    @Override
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    @Override
    public Endpoint primary(String partition) {
        return endpoints.stream().filter(e -> e.role() == Role.PRIMARY && e.partition().equals(partition)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown partition '" + partition + "'; partitions: "
                        + partitions()));
    }

    @Override
    public List<Endpoint> replicas(String partition) {
        primary(partition);
        return endpoints.stream().filter(e -> e.role() == Role.REPLICA && e.partition().equals(partition)).toList();
    }

    @Override
    public Endpoint endpoint(String name) {
        return endpoints.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no endpoint named '" + name + "'"));
    }

    /** Checks that {@code endpoint} belongs to this topology, for operations given one. */
    Endpoint known(Endpoint endpoint) {
        Endpoint own = endpoint(endpoint.name());
        if (!own.equals(endpoint)) {
            throw new IllegalArgumentException("endpoint " + endpoint + " is not part of this topology");
        }
        return own;
    }

    private void knownSite(String site) {
        homePartition(site);
    }

    @Override
    public Connection connect(Endpoint endpoint) throws SQLException {
        known(endpoint);
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "120");
        return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
    }

    // ----- links ---------------------------------------------------------------------------------------------------

    FaultProxy proxy(String fromSite, String targetName, InetSocketAddress target) {
        knownSite(fromSite);
        String name = fromSite + "->" + targetName;
        return proxies.computeIfAbsent(name, n -> FaultProxy.start(n, target));
    }

    @Override
    public String jdbcUrl(String fromSite, Endpoint endpoint) {
        FaultProxy proxy = (FaultProxy) link(fromSite, endpoint);
        return endpoint.jdbcUrl(proxy.host(), proxy.port());
    }

    @Override
    public Link link(String fromSite, Endpoint endpoint) {
        known(endpoint);
        return proxy(fromSite, endpoint.name(), new InetSocketAddress(endpoint.host(), endpoint.port()));
    }

    @Override
    public String zooKeeperConnectString(String fromSite) {
        return zooKeeperProxies(fromSite).stream().map(p -> p.host() + ":" + p.port())
                .collect(Collectors.joining(","));
    }

    @Override
    public Link zooKeeperLink(String fromSite) {
        return Link.of(fromSite + "->zookeeper", zooKeeperProxies(fromSite));
    }

    private List<FaultProxy> zooKeeperProxies(String fromSite) {
        List<InetSocketAddress> addresses = zooKeeperAddresses();
        List<FaultProxy> result = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            result.add(proxy(fromSite, "zookeeper-" + i, addresses.get(i)));
        }
        return result;
    }

    @Override
    public String redisUri(String fromSite, String redisSite) {
        FaultProxy proxy = (FaultProxy) redisLink(fromSite, redisSite);
        return "redis://" + proxy.host() + ":" + proxy.port();
    }

    @Override
    public Link redisLink(String fromSite, String redisSite) {
        RedisNode node = redis(redisSite);
        return proxy(fromSite, "redis-" + redisSite, new InetSocketAddress(node.host(), node.port()));
    }

    // ----- SQL operations ------------------------------------------------------------------------------------------

    String queryString(Endpoint endpoint, String sql) {
        try (Connection connection = connect(endpoint); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new TopologyException(endpoint.name() + ": '" + sql + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Lsn currentLsn(Endpoint primary) {
        return Lsn.parse(queryString(primary, "SELECT pg_current_wal_lsn()"));
    }

    @Override
    public Lsn replayLsn(Endpoint replica) {
        String lsn = queryString(replica, "SELECT pg_last_wal_replay_lsn()");
        if (lsn == null) {
            throw new IllegalStateException(replica.name() + " is not in recovery; it has no replay position");
        }
        return Lsn.parse(lsn);
    }

    @Override
    public void pauseReplay(Endpoint replica) {
        queryString(replica, "SELECT pg_wal_replay_pause()::text");
    }

    @Override
    public void resumeReplay(Endpoint replica) {
        queryString(replica, "SELECT pg_wal_replay_resume()::text");
    }

    @Override
    public void promote(Endpoint replica) {
        if (!"t".equals(queryString(replica, "SELECT pg_promote(true, 60)"))) {
            throw new TopologyException(replica.name() + " did not finish promotion within 60 s");
        }
    }

    @Override
    public boolean inRecovery(Endpoint endpoint) {
        return "t".equals(queryString(endpoint, "SELECT pg_is_in_recovery()"));
    }

    @Override
    public void expireZkSession(CuratorFramework client) {
        try {
            KillSession.kill(client.getZookeeperClient().getZooKeeper());
        } catch (Exception e) {
            throw new TopologyException("cannot expire the ZooKeeper session of " + client + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (String site : sites()) {
            out.append("site ").append(site).append(" (home partition ").append(homePartition(site)).append(")\n");
            for (Endpoint e : endpoints) {
                if (e.site().equals(site)) {
                    out.append(String.format("  %-8s %-28s partition %-10s %s%n", e.role(), e.name(), e.partition(),
                            e.jdbcUrl()));
                }
            }
            if (spec.redis()) {
                out.append(String.format("  %-8s %-28s %s%n", "REDIS", "redis-" + site, redis(site).uri()));
            }
        }
        out.append("zookeeper ").append(zooKeeperConnectString()).append('\n');
        return out.toString();
    }
}
