package dev.domicile.micronaut;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.Objects;

/**
 * Where one request runs, as {@link Placements} decides it: here, at another site (which then receives the epoch it
 * is believed to hold), or nowhere for now.
 *
 * @param kind       HERE, AT_SITE or UNAVAILABLE
 * @param partition  the user's home partition
 * @param site       for AT_SITE, the site to run it at (the partition's owner, else its home); else the local site
 * @param epoch      for AT_SITE, that site's authority epoch as known here, 0 without authority
 * @param reason     why, for logs, metrics and error bodies
 * @param retryAfter for UNAVAILABLE, when to try again
 */
record Placement(Kind kind, PartitionId partition, SiteId site, long epoch, Reason reason, Duration retryAfter) {

    /** Where. */
    enum Kind { HERE, AT_SITE, UNAVAILABLE }

    /** Why; also the {@code reason} tag of the forwarding metrics. */
    enum Reason {
        /** A read, the LOCAL policy, or a write this site may run. */
        LOCAL,
        /** The site is edge-only. */
        EDGE_ONLY,
        /** Without authority: a write of a user homed at another site. */
        HOMED_ELSEWHERE,
        /** With authority: a write of a partition another site owns. */
        OWNED_ELSEWHERE,
        /** With authority: this site cannot confirm authority now, and the last known owner is another site. */
        AUTHORITY_UNKNOWN_HERE,
        /** With authority: nobody here can tell who may write the partition now. */
        AUTHORITY_UNAVAILABLE
    }

    Placement {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    static Placement here(PartitionId partition, SiteId localSite) {
        return new Placement(Kind.HERE, partition, localSite, 0, Reason.LOCAL, Duration.ZERO);
    }

    static Placement atSite(PartitionId partition, SiteId site, long epoch, Reason reason) {
        return new Placement(Kind.AT_SITE, partition, site, epoch, reason, Duration.ZERO);
    }

    static Placement unavailable(PartitionId partition, SiteId localSite, Duration retryAfter) {
        return new Placement(Kind.UNAVAILABLE, partition, localSite, 0, Reason.AUTHORITY_UNAVAILABLE, retryAfter);
    }
}
