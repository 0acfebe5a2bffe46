package dev.domicile.sample.drill;

import dev.domicile.authority.Authority;
import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityConfigBuilder;
import dev.domicile.authority.AuthoritySnapshot;
import dev.domicile.authority.Fence;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.Topology;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The drill's own participants in the authority, one {@link SiteAgent} per site beside the services' routers, under
 * the same root in the topology's ZooKeeper: each partition starts owned by its home site at epoch 1, may fail over
 * to the other sites in the topology's order, and every primary carries the database fence over the drill's probe
 * table ({@value #PROBE_TABLE}). The standby's agent runs the failover; the agents' views feed the status page.
 *
 * <p>Timeouts are short for a demo (session 4 s, the shortest the testkit's ZooKeeper allows with margin; safety
 * margin 1 s). Thread-safe; {@link #close()} stops every agent.
 */
public final class AuthorityAgents implements AutoCloseable {

    /** The table the drill's writers write to, fenced at every primary. */
    static final String PROBE_TABLE = "public.drill_probe";

    /** The digest credentials of the demo's authority znodes (the services use them too). */
    public static final String AUTH = "domicile:demo";

    /** ZooKeeper session timeout of the agents and the services. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

    /** ZooKeeper connection timeout of the agents and the services. */
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

    /** How long a standby waits after the owner's lease disappeared, agents and services alike. */
    public static final Duration SAFETY_MARGIN = Duration.ofSeconds(1);

    private final Topology topology;
    private final Map<String, SiteAgent> agents;

    private AuthorityAgents(Topology topology, Map<String, SiteAgent> agents) {
        this.topology = topology;
        this.agents = agents;
    }

    /**
     * Installs the fence at every primary, publishes every partition's first authority (its home site, epoch 1)
     * and starts an agent per site, each through its site's ZooKeeper link.
     *
     * @throws SQLException if a primary refuses the fence
     */
    public static AuthorityAgents start(Topology topology) throws SQLException, InterruptedException {
        for (String partition : topology.partitions()) {
            try (Connection c = topology.connect(topology.primary(partition)); Statement s = c.createStatement()) {
                s.execute("create table if not exists " + PROBE_TABLE + " (id bigserial primary key, site text not"
                        + " null, epoch bigint not null, at timestamptz not null default clock_timestamp())");
                Fence.install(c, partition, 1);
                Fence.fenceTable(c, PROBE_TABLE);
            }
        }
        Map<String, SiteAgent> agents = new LinkedHashMap<>();
        AuthorityAgents started = new AuthorityAgents(topology, agents);
        try {
            for (String site : topology.sites()) {
                agents.put(site, SiteAgent.start(site, config(topology, site),
                        topology.zooKeeperConnectString(site), AUTH));
            }
            SiteAgent first = agents.values().iterator().next();
            for (String site : topology.sites()) {
                first.store().initialize(PartitionId.of(topology.homePartition(site)), SiteId.of(site));
            }
            return started;
        } catch (RuntimeException | InterruptedException e) {
            started.close();
            throw e;
        }
    }

    /** The authority configuration of {@code site}'s agent. */
    static AuthorityConfig config(Topology topology, String site) {
        AuthorityConfigBuilder builder = AuthorityConfig.builder().localSite(site).routerId(site + "-agent")
                .sites(topology.sites().toArray(String[]::new)).sessionTimeout(SESSION_TIMEOUT)
                .connectionTimeout(CONNECTION_TIMEOUT).safetyMargin(SAFETY_MARGIN);
        for (String home : topology.sites()) {
            List<String> order = new ArrayList<>(List.of(home));
            topology.sites().stream().filter(s -> !s.equals(home)).forEach(order::add);
            builder.failoverOrder(topology.homePartition(home), order.toArray(String[]::new));
        }
        return builder.build();
    }

    /**
     * Puts {@code table} (e.g. {@code public.notes}) under the fence at every primary, so that a write without the
     * current epoch is refused there. The services' routers stamp their writes with the epoch they were admitted at.
     *
     * @throws SQLException if a primary refuses
     */
    public void fence(String table) throws SQLException {
        for (String partition : topology.partitions()) {
            try (Connection c = topology.connect(topology.primary(partition))) {
                Fence.fenceTable(c, table);
            }
        }
    }

    SiteAgent agent(String site) {
        SiteAgent agent = agents.get(site);
        if (agent == null) {
            throw new IllegalArgumentException("no authority agent in site '" + site + "'; sites: " + agents.keySet());
        }
        return agent;
    }

    Topology topology() {
        return topology;
    }

    /**
     * Every partition's authority, as the agents that are live see it (the highest epoch any of them knows), and
     * which sites' agents are live (their ZooKeeper connection is healthy and they have read every node).
     */
    public View view() {
        Map<String, Authority> best = new LinkedHashMap<>();
        Map<String, Boolean> live = new LinkedHashMap<>();
        for (SiteAgent agent : agents.values()) {
            AuthoritySnapshot snapshot = agent.watcher().snapshot();
            live.put(agent.site(), snapshot.live());
            for (String partition : topology.partitions()) {
                Optional<Authority> seen = snapshot.authority(PartitionId.of(partition));
                seen.ifPresent(a -> best.merge(partition, a, (x, y) -> x.epoch() >= y.epoch() ? x : y));
            }
        }
        List<PartitionView> partitions = new ArrayList<>();
        for (String partition : topology.partitions()) {
            Authority a = best.get(partition);
            List<String> admitting = agents.values().stream()
                    .filter(agent -> agent.admission().admits(PartitionId.of(partition))).map(SiteAgent::site)
                    .toList();
            partitions.add(a == null ? new PartitionView(partition, null, 0, null, null, admitting)
                    : new PartitionView(partition, a.owner().value(), a.epoch(), a.since().toString(), a.reason(),
                            admitting));
        }
        return new View(partitions, live);
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (SiteAgent agent : agents.values()) {
            try {
                agent.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        agents.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The authority now.
     *
     * @param partitions per partition, in the topology's order
     * @param live       per site, whether its agent's view is live
     */
    public record View(List<PartitionView> partitions, Map<String, Boolean> live) {
    }

    /**
     * One partition's authority.
     *
     * @param partition the partition
     * @param owner     the site that may write it, or null if unknown
     * @param epoch     the fencing epoch, 0 if unknown
     * @param since     when it took effect
     * @param reason    why it changed last
     * @param admitting the sites whose agents admit writes to it now (the owner's alone, or none)
     */
    public record PartitionView(String partition, String owner, long epoch, String since, String reason,
                                List<String> admitting) {
    }
}
