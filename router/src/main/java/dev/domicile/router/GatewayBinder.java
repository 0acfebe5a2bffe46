package dev.domicile.router;

import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.router.RoutingDecision.TokenOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The routing rules of {@link Dialect#COCKROACHDB}: every gateway serves every partition, because the cluster
 * replicates each range and sends every read and write to the range's leaseholder (or, for a follower read, the
 * nearest replica) itself. So there is no primary to find and nothing to promote; the router only picks the gateway
 * nearest the caller, and the session kind:
 * <ul>
 *   <li>writes, STRONG and READ_YOUR_WRITES reads: a session at the present time on a gateway (read-only for reads).
 *       Read-your-writes needs no token: CockroachDB allows no stale reads (a read at the present time, from any
 *       gateway, sees every write acknowledged before it began: its uncertainty interval covers the clock offsets
 *       between nodes), and the caller's own writes were acknowledged before its next read; so the router records
 *       no token (and sends no statement for one) and reports {@code NOT_APPLICABLE};</li>
 *   <li>ANY reads, and BOUNDED_STALENESS(d) reads when the gateway's follower-read staleness is at most d: a
 *       follower-read session ({@link CockroachSql#FOLLOWER_READ_SESSION}), served by the nearest replica; other
 *       bounded reads run at the present time, whose staleness is zero.</li>
 * </ul>
 * Gateways are tried in the local site first, then the user's home site, then any other, skipping those the monitor
 * does not report up in their region. Each session kind has its own pool per gateway, so a borrow sends no
 * statement. Thread-safe.
 */
final class GatewayBinder {

    /** The kind of session a connection needs: a pool per kind and gateway, set up once per physical connection. */
    private enum Session {
        WRITE("write", null),
        READ("read", CockroachSql.READ_ONLY_SESSION),
        FOLLOWER_READ("follower-read", CockroachSql.FOLLOWER_READ_SESSION);

        private final String variant;
        private final String initSql;

        Session(String variant, String initSql) {
            this.variant = variant;
            this.initSql = initSql;
        }
    }

    private final RouterConfig config;
    private final EndpointMonitor monitor;
    private final Pools pools;
    private final Decisions decisions;
    private final List<EndpointConfig> gateways;
    /** Per gateway, in configuration order: its remembered decisions. */
    private final List<Target> targets;

    GatewayBinder(RouterConfig config, EndpointMonitor monitor, Pools pools, Decisions decisions) {
        this.config = config;
        this.monitor = monitor;
        this.pools = pools;
        this.decisions = decisions;
        this.gateways = config.endpoints();
        List<Target> all = new ArrayList<>();
        for (int i = 0; i < gateways.size(); i++) {
            all.add(new Target(gateways.get(i), i, gateways.get(i).site().equals(config.localSite())));
        }
        this.targets = List.copyOf(all);
    }

    /** As {@link Binder#bind}: attaches a connection to {@code connection}, or throws. */
    void bind(LazyConnection connection, RoutingContext context, Intent intent, Consistency consistency)
            throws SQLException {
        PartitionId partition;
        SiteId home;
        if (context == null) {
            partition = config.defaultPartition().orElseThrow(() -> new SQLException(
                    "no routing context is bound to this thread: wrap the work in router.forUser(key).run(...) or"
                            + " Routing.bind(context), or configure a defaultPartition", "08001"));
            home = config.localSite();
            consistency = Consistency.STRONG;
        } else {
            partition = context.partition();
            home = context.home().site();
            consistency = consistency != null ? consistency : context.consistency();
        }
        List<String> attempts = null;
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < gateways.size(); i++) {
                EndpointConfig gateway = gateways.get(i);
                if (!inPass(gateway, pass, home) || !monitor.state(i).usable()) {
                    continue;
                }
                long followerNanos = monitor.followerStalenessNanos(gateway.name());
                Session session = session(intent, consistency, followerNanos);
                Connection physical;
                try {
                    physical = pools.pool(gateway, session.variant, session.initSql).getConnection();
                } catch (SQLException e) {
                    attempts = attempts == null ? new ArrayList<>() : attempts;
                    attempts.add(gateway.name() + ": " + e.getMessage());
                    continue;
                }
                Reason reason = context == null ? Reason.DEFAULT_PARTITION
                        : session == Session.FOLLOWER_READ ? Reason.FOLLOWER_READ : Reason.GATEWAY;
                long mapVersion = context == null ? -1 : context.home().mapVersion();
                RoutingDecision decision = session == Session.FOLLOWER_READ && followerNanos != 0
                        ? new RoutingDecision(partition, mapVersion, -1, gateway.name(), gateway.site(), intent,
                                consistency, reason, Duration.ofNanos(followerNanos), TokenOutcome.NOT_APPLICABLE,
                                Duration.ZERO)
                        : targets.get(i).decision(partition, mapVersion, -1, intent, consistency, reason,
                                TokenOutcome.NOT_APPLICABLE);
                decisions.publish(decision);
                connection.attach(physical, decision);
                return;
            }
        }
        throw new NoRouteException("no CockroachDB gateway can serve a " + intent + " for partition " + partition
                + " from site " + config.localSite(), explain(attempts), null);
    }

    /** Where a connection would go now (the first gateway up, local site first), without borrowing. */
    EndpointConfig route(Home home) {
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < gateways.size(); i++) {
                EndpointConfig gateway = gateways.get(i);
                if (inPass(gateway, pass, home.site()) && monitor.state(i).usable()) {
                    return gateway;
                }
            }
        }
        return gateways.getFirst();
    }

    /** Pass 0: the local site; pass 1: the home site (unless local); pass 2: every other site. */
    private boolean inPass(EndpointConfig gateway, int pass, SiteId home) {
        SiteId site = gateway.site();
        SiteId local = config.localSite();
        return switch (pass) {
            case 0 -> site.equals(local);
            case 1 -> !home.equals(local) && site.equals(home);
            default -> !site.equals(local) && !site.equals(home);
        };
    }

    private static Session session(Intent intent, Consistency consistency, long followerNanos) {
        if (intent == Intent.WRITE) {
            return Session.WRITE;
        }
        boolean follower = switch (consistency.level()) {
            case ANY -> followerNanos >= 0;
            case BOUNDED_STALENESS -> followerNanos >= 0 && followerNanos <= consistency.maxStaleness().toNanos();
            case STRONG, READ_YOUR_WRITES -> false;
        };
        return follower ? Session.FOLLOWER_READ : Session.READ;
    }

    /** Each gateway not tried and why, then each borrow that failed. */
    private List<String> explain(List<String> failed) {
        List<String> reasons = new ArrayList<>();
        for (EndpointConfig gateway : gateways) {
            EndpointState state = monitor.state(gateway.name());
            if (!state.usable()) {
                reasons.add(gateway.name() + ": " + state.health()
                        + (state.lastError() == null ? "" : " (" + state.lastError() + ")"));
            }
        }
        if (failed != null) {
            reasons.addAll(failed);
        }
        return reasons;
    }
}
