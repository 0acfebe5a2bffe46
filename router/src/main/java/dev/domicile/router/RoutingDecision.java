package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;

/**
 * Why a connection went where it went. One per bound connection, delivered to {@link RoutingListener}s.
 *
 * @param partition   the partition routed for
 * @param mapVersion  the partition map version the home was resolved from; -1 without a routing context
 * @param epoch       the partition's authority epoch, -1 while the router does not know it
 * @param endpoint    the endpoint chosen
 * @param site        where that endpoint runs
 * @param intent      read or write
 * @param consistency the consistency applied to a read
 * @param reason      the rule that chose the endpoint
 * @param replicaLag  for a replica, zero if it had replayed all the primary had written at their last probes, else
 *                    its estimated staleness when chosen; for a CockroachDB {@code FOLLOWER_READ}, the staleness of
 *                    {@code follower_read_timestamp()} on the gateway; {@link Duration#ZERO} for a primary or a
 *                    present-time gateway read
 * @param token       what became of the caller's causal token
 * @param waited      how long the read waited for a replica to reach the token
 */
public record RoutingDecision(PartitionId partition, long mapVersion, long epoch, String endpoint, SiteId site,
                              Intent intent, Consistency consistency, Reason reason, Duration replicaLag,
                              TokenOutcome token, Duration waited) {

    /** The rule that chose an endpoint. */
    public enum Reason {
        /** A write: the partition's primary. */
        WRITE_TO_PRIMARY,
        /**
         * A write, after a failover: the configured primary is not writable, and a database configured as a replica
         * in the site that owns the partition now was promoted.
         */
        WRITE_TO_PROMOTED,
        /** A STRONG read: the primary. */
        STRONG_READ,
        /** A replica in the local site satisfied the consistency level. */
        LOCAL_REPLICA,
        /** A replica in the partition's home site satisfied it (none in the local site did). */
        HOME_SITE_REPLICA,
        /** No replica satisfied it: the primary served the read. */
        PRIMARY_FALLBACK,
        /** No routing context was bound: the configured default partition's primary. */
        DEFAULT_PARTITION,
        /**
         * Degraded mode: the home primary was unavailable and no replica met the consistency level, so a replica
         * within {@link RouterConfig#degradedReadStaleness()} served the read.
         */
        DEGRADED_REPLICA,
        /**
         * {@link Dialect#COCKROACHDB}: a write, or a read at the present time (STRONG, READ_YOUR_WRITES, or a bound
         * tighter than follower reads allow), on a gateway: the local site's first, else the home site's, else any.
         */
        GATEWAY,
        /**
         * {@link Dialect#COCKROACHDB}: a BOUNDED_STALENESS or ANY read in a follower-read session on a gateway (local
         * first); {@code replicaLag} is the staleness of {@code follower_read_timestamp()} there.
         */
        FOLLOWER_READ
    }

    /** What became of the caller's read-your-writes token. */
    public enum TokenOutcome {
        /** No token applied: a write, another consistency level, or no write by this user in this partition. */
        NOT_APPLICABLE,
        /** The chosen replica had already replayed the token (no extra statement). */
        MET,
        /** The chosen replica reached the token while the read waited. */
        WAITED,
        /** No replica reached it in time; the read fell back to the primary. */
        FELL_BACK,
        /** Degraded mode: the read was served although no endpoint that had the token could serve it. */
        UNMET
    }
}
