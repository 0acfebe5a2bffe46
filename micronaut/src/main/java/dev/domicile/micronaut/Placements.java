package dev.domicile.micronaut;

import dev.domicile.authority.Authority;
import dev.domicile.authority.NotAuthoritativeException;
import dev.domicile.authority.RetryHint;
import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.util.Optional;

/**
 * Decides where a request runs ({@link Placement}), from the user's home in the partition map and, when there is
 * authority, from who may write the partition now.
 *
 * <ul>
 *   <li>Edge-only site: at the partition's owner (its home if the owner is unknown), with the owner's epoch.
 *   <li>A read, or the LOCAL policy: here (a write this site may not run is then refused by the router).
 *   <li>Without authority, a write: here if the user's home site is this one, else at the home site, epoch 0.
 *   <li>With authority, a write: here if the write admission admits the partition; if it is owned by another site,
 *       at that owner with its epoch; if authority cannot be confirmed here (ZooKeeper unreachable) and the last
 *       known owner is another site, there; otherwise UNAVAILABLE with the admission's retry hint.
 * </ul>
 *
 * Never blocks; thread-safe.
 */
final class Placements {

    private final ForwardingConfig config;
    private final SiteId localSite;
    private final Optional<DomicileAuthority> authority;

    Placements(ForwardingConfig config, SiteId localSite, Optional<DomicileAuthority> authority) {
        this.config = config;
        this.localSite = localSite;
        this.authority = authority;
    }

    /**
     * Whether a request of this kind runs here whatever its user's home: a read or the LOCAL policy, at a site that is
     * not edge-only. {@link #place} then answers HERE, so a caller may skip resolving the home.
     */
    boolean alwaysHere(boolean write) {
        return !config.edgeOnly() && (!write || config.policy() == ForwardingPolicy.LOCAL);
    }

    Placement place(Home home, boolean write) {
        PartitionId partition = home.partitionId();
        if (config.edgeOnly()) {
            Optional<Authority> known = authority.flatMap(a -> a.watcher().authority(partition));
            return Placement.atSite(partition, known.map(Authority::owner).orElse(home.site()),
                    known.map(Authority::epoch).orElse(0L), Placement.Reason.EDGE_ONLY);
        }
        if (alwaysHere(write)) {
            return Placement.here(partition, localSite);
        }
        if (authority.isEmpty()) {
            return home.site().equals(localSite) ? Placement.here(partition, localSite)
                    : Placement.atSite(partition, home.site(), 0, Placement.Reason.HOMED_ELSEWHERE);
        }
        Optional<NotAuthoritativeException> refusal = authority.get().refusal(partition);
        if (refusal.isEmpty()) {
            return Placement.here(partition, localSite);
        }
        NotAuthoritativeException refused = refusal.get();
        Optional<SiteId> owner = refused.lastKnownOwner().filter(site -> !site.equals(localSite));
        if (owner.isPresent()) {
            return Placement.atSite(partition, owner.get(), refused.lastKnownEpoch(),
                    refused.hint() == RetryHint.FORWARD_TO_OWNER ? Placement.Reason.OWNED_ELSEWHERE
                            : Placement.Reason.AUTHORITY_UNKNOWN_HERE);
        }
        return Placement.unavailable(partition, localSite, refused.retryAfter());
    }
}
