package dev.domicile.sample.drill;

import dev.domicile.authority.Authority;
import dev.domicile.authority.Failover;
import dev.domicile.authority.Fence;
import dev.domicile.authority.TakeoverCheck;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import dev.domicile.sample.Homes;
import java.io.PrintStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The failover drill, on real servers: cuts a region off from ZooKeeper and from its peers (the fault proxies of the
 * testkit), watches its lease expire and its home partition's authority move to a standby region, which promotes its
 * replica ({@link Failover#run}, policy AVAILABLE); heals every link but the peers' to the old primary, fences the
 * returning old primary ({@link Failover#fenceReturning}) and checks that it refuses a write of the old epoch,
 * retires it (stops it: it may have diverged, and must be rebuilt as a replica of the new primary before it serves
 * again; at the new epoch it would accept the new owner's writes), heals the rest, and switches back: authority is
 * handed back to the region ({@code handOver}, epoch + 1, FENCING; the promoted database's fence raised to it; then
 * {@code activate}) and its writes go to the partition's current primary, the promoted database.
 *
 * <p>A writer in each region involved writes as a router with authority does ({@link ProbeWriter}): admitted by its
 * region's agent, stamped with the epoch; and, if a service URL is given, a user homed in the victim region writes
 * notes through the victim's service ({@link ServiceWriter}), whose routers have authority of their own. The report
 * counts the rows the old primary took (probe and notes) after the takeover was allowed; it must be 0. A drill changes
 * the topology for good (one partition's primary is now in the standby region), so it runs once per demo. Not
 * thread-safe: one drill at a time. Longer than most classes here, since it reads best as one script.
 */
public final class Drill {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TIMEOUTS = "&connectTimeout=2&socketTimeout=4&loginTimeout=4";
    private static final long PROBE_PERIOD_MILLIS = 100;
    private static final long SERVICE_PERIOD_MILLIS = 200;

    private final AuthorityAgents agents;
    private final Topology topology;
    private final String victim;
    private final String standby;
    private final String partition;
    private final URI service;
    private final Timeline timeline;

    private Drill(AuthorityAgents agents, String victim, String standby, URI service, PrintStream out) {
        this.agents = agents;
        this.service = service;
        this.topology = agents.topology();
        this.victim = victim;
        this.standby = standby;
        this.partition = topology.homePartition(victim);
        this.timeline = new Timeline(out);
    }

    /**
     * Runs the drill against {@code victim}, with {@code standby} taking over; prints each step to {@code out} (if
     * not null) as it happens.
     *
     * @param service the base URL of the victim's notes service, where a user homed there writes a note every 200 ms
     *                during the drill; null for none
     *
     * @throws IllegalArgumentException if {@code standby} holds no replica of the victim's partition, or the two are
     *                                  the same
     * @throws IllegalStateException    if a step does not happen within a minute
     * @throws SQLException             if a database refuses a step
     */
    public static DrillReport run(AuthorityAgents agents, String victim, String standby, URI service,
                                  PrintStream out) throws SQLException, InterruptedException {
        return prepare(agents, victim, standby, service, out).run();
    }

    /** A drill not started yet, whose {@link #steps()} can be read while it runs; see {@link #run}. */
    static Drill prepare(AuthorityAgents agents, String victim, String standby, URI service, PrintStream out) {
        if (victim.equals(standby)) {
            throw new IllegalArgumentException("drill standby = " + standby + ": must differ from the victim");
        }
        return new Drill(agents, victim, standby, service, out);
    }

    /** Runs the drill; once only. */
    DrillReport run() throws SQLException, InterruptedException {
        PartitionId p = PartitionId.of(partition);
        Endpoint oldPrimary = topology.primary(partition);
        Endpoint candidate = topology.replicas(partition).stream().filter(e -> e.site().equals(standby)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("drill standby = " + standby + ": holds no replica"
                        + " of partition " + partition));
        SiteAgent victimAgent = agents.agent(victim);
        SiteAgent standbyAgent = agents.agent(standby);
        long epochBefore = standbyAgent.watcher().authority(p).map(Authority::epoch).orElseThrow();
        timeline.step("start: " + partition + " is owned by " + victim + " at epoch " + epochBefore
                + "; a writer in " + victim + " writes to " + oldPrimary.name() + " every " + PROBE_PERIOD_MILLIS
                + " ms" + (service == null ? "" : ", a user homed there writes notes through its service every "
                + SERVICE_PERIOD_MILLIS + " ms"));
        List<Link> toOldPrimary = linksToOldPrimary(oldPrimary);
        List<Link> cut = new ArrayList<>(links());
        cut.removeAll(toOldPrimary);
        List<Link> all = new ArrayList<>(cut);
        all.addAll(toOldPrimary);
        ServiceWriter user = service == null ? null
                : ServiceWriter.start(service, Homes.user(victim, "drill"), SERVICE_PERIOD_MILLIS);
        try {
            return run(p, oldPrimary, candidate, victimAgent, standbyAgent, epochBefore, cut, toOldPrimary, all,
                    user);
        } finally {
            all.forEach(Link::heal);
            if (user != null) {
                user.close();
            }
        }
    }

    private DrillReport run(PartitionId p, Endpoint oldPrimary, Endpoint candidate, SiteAgent victimAgent,
                            SiteAgent standbyAgent, long epochBefore, List<Link> cut, List<Link> toOldPrimary,
                            List<Link> all, ServiceWriter user) throws SQLException, InterruptedException {
        long refusedByAdmission;
        long acceptedAtFenced;
        long acceptedAfterMove;
        long refusedByFence;
        long acceptedByStandby;
        Failover.Report failover;
        Instant movedAt;
        try (ProbeWriter victimWriter = ProbeWriter.start(victimAgent, p, () -> url(victim, oldPrimary),
                PROBE_PERIOD_MILLIS)) {
            await(() -> victimWriter.accepted() > 0 && (user == null || user.accepted() > 0),
                    "first writes in " + victim);
            timeline.step(victim + " writes accepted at epoch " + epochBefore + " (" + victimWriter.accepted()
                    + " so far)" + service(user));
            long lastKnownLsn = topology.currentLsn(oldPrimary).value();
            all.forEach(Link::blackhole);
            timeline.step("cut " + victim + " off: its ZooKeeper link and " + (all.size() - 1)
                    + " database links to and from its peers blackholed");
            await(() -> victimWriter.refusedByAdmission() > 0, victim + " to stop admitting writes");
            timeline.step(victim + " stops admitting writes to " + partition + " (ZooKeeper silent); accepted "
                    + victimWriter.accepted() + " in all");
            TakeoverCheck check = awaitTakeover(standbyAgent, p);
            movedAt = Instant.now();
            timeline.step(victim + "'s lease is gone and the safety margin has passed: " + check.reason());
            failover = Failover.run(standbyAgent.store(), standbyAgent.watcher(), new Failover.Request(p,
                    SiteId.of(standby), database(candidate, standby), false,
                    List.of(database(oldPrimary, standby)), Failover.RecoveryPolicy.AVAILABLE, lastKnownLsn,
                    Duration.ofSeconds(2)));
            victimWriter.authorityMoved();
            long epoch = failover.authority().epoch();
            timeline.step("authority moved in " + failover.took().toMillis() + " ms: " + standby + " owns "
                    + partition + " at epoch " + epoch + ", " + failover.promoted() + " promoted (had received "
                    + failover.received() + ")" + failover.mayLose().map(range -> ", may have lost WAL " + range)
                    .orElse(", nothing lost") + "; fences " + failover.fences() + service(user));
            try (ProbeWriter standbyWriter = ProbeWriter.start(standbyAgent, p, () -> url(standby, candidate),
                    PROBE_PERIOD_MILLIS)) {
                await(() -> standbyWriter.accepted() > 0, "a first write of " + standby);
                timeline.step(standby + " writes accepted on " + candidate.name() + " at epoch " + epoch);
                cut.forEach(Link::heal);
                timeline.step("healed every link of " + victim + " but its peers' to " + oldPrimary.name()
                        + ", which stay cut until it is retired");
                await(() -> victimAgent.watcher().snapshot().live() && victimAgent.watcher().authority(p)
                        .map(a -> a.epoch() == epoch).orElse(false), victim + " to see epoch " + epoch);
                timeline.step(victim + " is back in touch and sees " + standby + " at epoch " + epoch
                        + "; it still admits no write to " + partition + " (" + victimWriter.refusedByAdmission()
                        + " refused so far)");
                String fence = Failover.fenceReturning(database(oldPrimary, victim), epoch, Duration.ofSeconds(2));
                timeline.step("old primary " + oldPrimary.name() + " fenced on return: " + fence);
                ProbeWriter.Outcome stale = victimWriter.write(url(victim, oldPrimary), victim, epochBefore);
                refusedByFence = victimWriter.refusedByFence() + (stale == ProbeWriter.Outcome.FENCED ? 1 : 0);
                timeline.step("a write stamped with the old epoch " + epochBefore + " at " + oldPrimary.name()
                        + ": " + (stale == ProbeWriter.Outcome.FENCED ? "refused by the fence (SQLSTATE "
                        + Fence.STALE_EPOCH + ")" : stale + " " + victimWriter.lastFailure()));
                if (user != null) {
                    long before = user.accepted();
                    await(() -> user.accepted() > before, "a note of " + victim + "'s user after the heal");
                    timeline.step("after the heal" + service(user));
                }
                acceptedByStandby = standbyWriter.accepted();
                refusedByAdmission = victimWriter.refusedByAdmission();
                acceptedAfterMove = victimWriter.acceptedAfterMove();
            }
        }
        acceptedAtFenced = rowsWrittenSince(oldPrimary, movedAt);
        topology.stop(oldPrimary);
        timeline.step("rows written at " + oldPrimary.name() + " (probe and notes) since the takeover was allowed: "
                + acceptedAtFenced + " (writes " + victim + " got accepted there after the move: " + acceptedAfterMove
                + "); it is retired (stopped) until it is rebuilt as a replica of " + candidate.name());
        toOldPrimary.forEach(Link::heal);
        Authority back = victimAgent.store().handOver(p, SiteId.of(victim), failover.authority().epoch());
        try (Connection c = DriverManager.getConnection(url(victim, candidate))) {
            Fence.bump(c, back.epoch(), Duration.ofSeconds(2));
        }
        back = victimAgent.store().activate(p, back.epoch());
        await(() -> victimAgent.admission().admits(p), victim + " to admit writes again");
        timeline.step("switched back: " + victim + " owns " + partition + " at epoch " + back.epoch()
                + " and writes to " + candidate.name() + "; " + standby + " admits none");
        long acceptedAfterSwitchBack;
        try (ProbeWriter again = ProbeWriter.start(victimAgent, p, () -> url(victim, candidate),
                PROBE_PERIOD_MILLIS)) {
            await(() -> again.accepted() > 0, "a write of " + victim + " after the switch back");
            acceptedAfterSwitchBack = again.accepted();
        }
        if (user != null) {
            long before = user.accepted();
            await(() -> user.accepted() > before, "a note of " + victim + "'s user after the switch back");
        }
        timeline.step(victim + " writes accepted at epoch " + back.epoch() + " on " + candidate.name()
                + service(user));
        return new DrillReport(victim, standby, partition, epochBefore, failover.authority().epoch(), back.epoch(),
                failover.authority().owner().value(), acceptedAtFenced, refusedByAdmission, refusedByFence,
                acceptedByStandby, acceptedAfterSwitchBack, user == null ? 0 : user.accepted(),
                user == null ? 0 : user.refused(), timeline.steps());
    }

    private static String service(ServiceWriter user) {
        return user == null ? "" : "; " + user.summary();
    }

    /** The timeline so far. */
    List<Timeline.Step> steps() {
        return timeline.steps();
    }

    /** The victim's ZooKeeper link, then every database link between the victim and another region. */
    private List<Link> links() {
        List<Link> links = new ArrayList<>();
        links.add(topology.zooKeeperLink(victim));
        for (Endpoint endpoint : topology.endpoints()) {
            if (endpoint.site().equals(victim)) {
                topology.sites().stream().filter(s -> !s.equals(victim))
                        .forEach(s -> links.add(topology.link(s, endpoint)));
            } else {
                links.add(topology.link(victim, endpoint));
            }
        }
        return links;
    }

    /** The links from the other regions to {@code oldPrimary}: cut until it is retired. */
    private List<Link> linksToOldPrimary(Endpoint oldPrimary) {
        return topology.sites().stream().filter(s -> !s.equals(victim)).map(s -> topology.link(s, oldPrimary))
                .toList();
    }

    private TakeoverCheck awaitTakeover(SiteAgent standbyAgent, PartitionId p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        TakeoverCheck check = standbyAgent.watcher().takeoverCheck(p, SiteId.of(standby));
        while (!check.eligible()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the drill waited " + WAIT + " for " + standby + " to be allowed to"
                        + " take " + partition + " over: " + check.reason());
            }
            Thread.sleep(20);
            check = standbyAgent.watcher().takeoverCheck(p, SiteId.of(standby));
        }
        return check;
    }

    /**
     * Rows of the probe table and of the notes table (if there is one) at {@code primary} written at or after
     * {@code since}, read directly while it is still up.
     */
    private long rowsWrittenSince(Endpoint primary, Instant since) throws SQLException {
        try (Connection c = topology.connect(primary); Statement s = c.createStatement();
             ResultSet exists = s.executeQuery("select to_regclass('public.notes') is not null")) {
            exists.next();
            boolean notes = exists.getBoolean(1);
            String sql = "select (select count(*) from " + AuthorityAgents.PROBE_TABLE + " where at >= ?)"
                    + (notes ? " + (select count(*) from notes where created_at >= ?)" : "");
            try (PreparedStatement count = c.prepareStatement(sql)) {
                count.setTimestamp(1, Timestamp.from(since));
                if (notes) {
                    count.setTimestamp(2, Timestamp.from(since));
                }
                try (ResultSet rows = count.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        }
    }

    private Failover.Database database(Endpoint endpoint, String fromSite) {
        String url = url(fromSite, endpoint);
        return new Failover.Database(endpoint.name(), () -> DriverManager.getConnection(url));
    }

    private String url(String fromSite, Endpoint endpoint) {
        return topology.jdbcUrl(fromSite, endpoint) + TIMEOUTS;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the drill waited " + WAIT + " for " + what);
            }
            Thread.sleep(20);
        }
    }
}
