package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of an {@link AuthorityWatcher} and the only code that changes it: every change builds a new
 * {@link AuthoritySnapshot}, swaps it in and tells the listeners, all under this object's lock, so listeners see
 * snapshots in order. A connection generation, bumped on every connection-state change, keeps a full read that
 * started before a disconnection from making the watcher live.
 */
final class SnapshotPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final String root;
    private final Clock clock;
    private final Listeners<AuthorityListener> listeners = new Listeners<>();
    private volatile AuthoritySnapshot current = AuthoritySnapshot.initial();
    private volatile AuthorityRejection lastRejection;
    private long generation;
    private boolean connected;
    private boolean curatorUp;
    private boolean contactOk = true;

    SnapshotPublisher(String root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    AuthoritySnapshot current() {
        return current;
    }

    AuthorityRejection lastRejection() {
        return lastRejection;
    }

    synchronized void subscribe(AuthorityListener listener) {
        listeners.add(listener);
        AuthoritySnapshot now = current;
        try {
            listener.onSnapshot(now, now);
        } catch (RuntimeException e) {
            LOG.warn("authority listener {} failed", listener, e);
        }
    }

    void unsubscribe(AuthorityListener listener) {
        listeners.remove(listener);
    }

    /**
     * Records a change of the link to ZooKeeper: Curator's connection state ({@code curatorUp}) or the
     * {@link ContactGuard}'s verdict ({@code contactOk}); null leaves a flag as it is. Losing either makes the
     * snapshot not live at once; when both are good again, returns the generation a full read must complete for the
     * snapshot to become live, else -1.
     */
    synchronized long linkChanged(Boolean curatorUp, Boolean contactOk, String health) {
        boolean before = connected;
        if (curatorUp != null) {
            this.curatorUp = curatorUp;
        }
        if (contactOk != null) {
            this.contactOk = contactOk;
        }
        connected = this.curatorUp && this.contactOk;
        if (before == connected && contactOk != null && curatorUp == null) {
            return -1;
        }
        generation++;
        publish(false, connected ? health + ", re-reading authority" : health, current.authorities(),
                current.leases());
        return connected ? generation : -1;
    }

    synchronized boolean isCurrent(long readGeneration) {
        return connected && readGeneration == generation;
    }

    /** A complete read of every authority and lease; makes the watcher live if nothing happened meanwhile. */
    synchronized void fullRead(long readGeneration, Map<PartitionId, Authority> read, Map<PartitionId, Lease> leases,
            List<AuthorityRejection> rejections) {
        rejections.forEach(this::reject);
        Map<PartitionId, Authority> merged = new HashMap<>(current.authorities());
        for (PartitionId gone : current.authorities().keySet()) {
            if (!read.containsKey(gone) && rejections.stream().noneMatch(r -> r.path().endsWith("/" + gone))) {
                reject(new AuthorityRejection(root + "/partitions/" + gone, -1, "authority node is missing",
                        current.authority(gone)));
            }
        }
        read.forEach((partition, authority) -> accept(merged, authority, -1));
        boolean live = isCurrent(readGeneration);
        publish(live, live ? "live" : current.health(), merged, leases);
    }

    synchronized void authorityRead(Authority authority, int znodeVersion) {
        Map<PartitionId, Authority> merged = new HashMap<>(current.authorities());
        if (accept(merged, authority, znodeVersion)) {
            publish(current.live(), current.health(), merged, current.leases());
        }
    }

    synchronized void leaseRead(PartitionId partition, Lease lease) {
        Map<PartitionId, Lease> leases = new HashMap<>(current.leases());
        if (lease == null) {
            leases.remove(partition);
        } else {
            leases.put(partition, lease);
        }
        if (!leases.equals(current.leases())) {
            publish(current.live(), current.health(), current.authorities(), leases);
        }
    }

    synchronized void reject(AuthorityRejection rejection) {
        lastRejection = rejection;
        LOG.error("refused authority node {} (version {}), keeping {}: {}", rejection.path(), rejection.znodeVersion(),
                rejection.kept().map(Object::toString).orElse("nothing"), rejection.problem());
        listeners.fire(l -> l.onRejected(rejection));
    }

    /**
     * Puts {@code incoming} into {@code merged} unless it would lower the epoch, reuse one for another owner, or take
     * an ACTIVE epoch back to FENCING.
     */
    private boolean accept(Map<PartitionId, Authority> merged, Authority incoming, int znodeVersion) {
        Authority known = merged.get(incoming.partition());
        if (known != null && incoming.epoch() < known.epoch()) {
            reject(new AuthorityRejection(path(incoming), znodeVersion, "epoch went backwards from " + known.epoch()
                    + " to " + incoming.epoch(), java.util.Optional.of(known)));
            return false;
        }
        if (known != null && incoming.epoch() == known.epoch() && !incoming.owner().equals(known.owner())) {
            reject(new AuthorityRejection(path(incoming), znodeVersion, "epoch " + known.epoch() + " already belongs"
                    + " to " + known.owner() + ", not " + incoming.owner(), java.util.Optional.of(known)));
            return false;
        }
        if (known != null && incoming.epoch() == known.epoch() && known.phase() == Authority.Phase.ACTIVE
                && incoming.phase() == Authority.Phase.FENCING) {
            reject(new AuthorityRejection(path(incoming), znodeVersion, "epoch " + known.epoch() + " went back from"
                    + " ACTIVE to FENCING", java.util.Optional.of(known)));
            return false;
        }
        merged.put(incoming.partition(), incoming);
        return !incoming.equals(known);
    }

    /**
     * Whether a lease absence seen under {@code before} still counts under {@code after}: same owner and epoch. A new
     * owner (e.g. a switchover completed while the old owner's lease was already gone) gets the whole safety margin
     * to create its lease, so a standby does not take a healthy new owner over on the old owner's absence.
     */
    private static boolean sameHolder(Authority before, Authority after) {
        return before != null && before.owner().equals(after.owner()) && before.epoch() == after.epoch();
    }

    private String path(Authority authority) {
        return root + "/partitions/" + authority.partition();
    }

    private void publish(boolean live, String health, Map<PartitionId, Authority> authorities,
            Map<PartitionId, Lease> leases) {
        AuthoritySnapshot previous = current;
        Map<PartitionId, Instant> absent = new HashMap<>();
        if (live) {
            Instant now = clock.instant();
            for (PartitionId partition : authorities.keySet()) {
                if (!leases.containsKey(partition)) {
                    Instant since = previous.live() && sameHolder(previous.authorities().get(partition),
                            authorities.get(partition)) ? previous.leaseAbsentSince().get(partition) : null;
                    absent.put(partition, since != null ? since : now);
                }
            }
        }
        AuthoritySnapshot next = new AuthoritySnapshot(live, health, authorities, leases, absent,
                previous.sequence() + 1);
        current = next;
        if (previous.live() != live) {
            LOG.info("authority watcher at {} is {}", root, live ? "live" : "not live: " + health);
        }
        listeners.fire(l -> l.onSnapshot(previous, next));
        for (Authority authority : authorities.values()) {
            Authority before = previous.authorities().get(authority.partition());
            if (!Objects.equals(before, authority)) {
                listeners.fire(l -> l.onChange(before, authority));
            }
        }
    }
}
