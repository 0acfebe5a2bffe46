package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides, per write, whether this router may write a partition now: only while its {@link AuthorityWatcher} is live
 * (ZooKeeper CONNECTED/RECONNECTED and authority re-read since), the partition's known owner is the local site, its
 * epoch is {@linkplain Authority.Phase#ACTIVE ACTIVE} (not FENCING: the new owner's database fence is raised) and it
 * is not {@linkplain Authority#movingTo() moving} (a planned switchover in progress).
 * SUSPENDED, LOST and READ_ONLY stop admission at once, as Curator's tech notes advise, and so does silence from
 * ZooKeeper longer than {@link AuthorityConfig#contactTimeout()}; after a reconnection admission resumes only once
 * the watcher has re-read every authority.
 *
 * <p>{@link #admit} reads one volatile field holding an immutable gate and looks the partition up in an immutable map
 * of pre-built {@link Admission}s: it never blocks and allocates nothing when it admits. Listeners are told when a
 * partition stops or resumes being admitted, so a router can abort the write transactions it still has open.
 *
 * <p>Lifecycle: {@link #start} attaches to a running watcher; {@link #close()} detaches and refuses everything from
 * then on (the watcher stays the caller's). Thread-safe.
 */
public final class WriteAdmission implements AutoCloseable {

    private final AuthorityWatcher watcher;
    private final SiteId localSite;
    private final Duration retryAfter;
    private final Listeners<AdmissionListener> listeners = new Listeners<>();
    private final AuthorityListener hook = new AuthorityListener() {
        @Override
        public void onSnapshot(AuthoritySnapshot previous, AuthoritySnapshot current) {
            update(current, false);
        }
    };
    private volatile Gate gate;

    /** The immutable admission state; {@code admitted} holds exactly the partitions that may be written now. */
    private record Gate(Map<PartitionId, Admission> admitted, AuthoritySnapshot snapshot, boolean closed) {
    }

    private WriteAdmission(AuthorityWatcher watcher) {
        this.watcher = watcher;
        this.localSite = watcher.config().localSite();
        this.retryAfter = watcher.config().retryAfter();
        this.gate = new Gate(Map.of(), watcher.snapshot(), false);
    }

    /** Starts deciding from {@code watcher}'s snapshots, for the watcher's local site. */
    public static WriteAdmission start(AuthorityWatcher watcher) {
        WriteAdmission admission = new WriteAdmission(Objects.requireNonNull(watcher, "watcher"));
        watcher.addListener(admission.hook);
        return admission;
    }

    /**
     * Admits a write of {@code partition} or refuses it at once.
     *
     * @return the admission, whose epoch the write must carry
     * @throws NotAuthoritativeException if the partition is owned by another site ({@link RetryHint#FORWARD_TO_OWNER}),
     *                                   its new epoch is still FENCING ({@link RetryHint#FENCING_IN_PROGRESS}), or its
     *                                   authority cannot be confirmed now ({@link RetryHint#RETRY_LATER})
     */
    public Admission admit(PartitionId partition) {
        Gate g = gate;
        Admission admission = g.admitted.get(partition);
        if (admission != null) {
            return admission;
        }
        throw refusal(g, partition);
    }

    /** Whether {@link #admit} would admit {@code partition} now. */
    public boolean admits(PartitionId partition) {
        return gate.admitted.containsKey(partition);
    }

    /** Adds a listener of stops and resumptions. */
    public void addListener(AdmissionListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener. */
    public void removeListener(AdmissionListener listener) {
        listeners.remove(listener);
    }

    private NotAuthoritativeException refusal(Gate g, PartitionId partition) {
        Authority known = g.snapshot.authorities().get(partition);
        SiteId owner = known == null ? null : known.owner();
        long epoch = known == null ? 0 : known.epoch();
        if (g.closed) {
            return new NotAuthoritativeException(partition, owner, epoch, RetryHint.RETRY_LATER, retryAfter,
                    "write admission is closed");
        }
        if (!g.snapshot.live()) {
            return new NotAuthoritativeException(partition, owner, epoch, RetryHint.RETRY_LATER, retryAfter,
                    g.snapshot.health());
        }
        if (known == null) {
            return new NotAuthoritativeException(partition, null, 0, RetryHint.RETRY_LATER, retryAfter,
                    "no authority is published for it");
        }
        if (known.phase() == Authority.Phase.FENCING) {
            return new NotAuthoritativeException(partition, owner, epoch, RetryHint.FENCING_IN_PROGRESS, retryAfter,
                    "fencing in progress: " + owner + " claimed epoch " + epoch + " and admits no write before its"
                            + " database fence is raised to it");
        }
        if (known.movingTo().isPresent()) {
            return new NotAuthoritativeException(partition, owner, epoch, RetryHint.RETRY_LATER, retryAfter,
                    "a planned switchover moves it from " + owner + " to " + known.movingTo().get());
        }
        return new NotAuthoritativeException(partition, owner, epoch, RetryHint.FORWARD_TO_OWNER, retryAfter,
                "it is owned by " + owner + ", this router is in " + localSite);
    }

    /** Runs under the watcher's publication lock (or once on close), so gates change in snapshot order. */
    private synchronized void update(AuthoritySnapshot snapshot, boolean closing) {
        Gate previous = gate;
        if (previous.closed) {
            return;
        }
        Map<PartitionId, Admission> admitted = new HashMap<>();
        if (snapshot.live() && !closing) {
            for (Authority authority : snapshot.authorities().values()) {
                if (authority.owner().equals(localSite) && authority.admitsWrites()) {
                    Admission before = previous.admitted.get(authority.partition());
                    admitted.put(authority.partition(), before != null && before.epoch() == authority.epoch()
                            ? before : new Admission(authority.partition(), localSite, authority.epoch()));
                }
            }
        }
        gate = new Gate(Map.copyOf(admitted), snapshot, closing);
        previous.admitted.forEach((partition, before) -> {
            Admission after = admitted.get(partition);
            if (after != before) {
                String reason = closing ? "write admission closed" : stopReason(snapshot, partition);
                listeners.fire(l -> l.onStopped(partition, reason));
            }
        });
        admitted.forEach((partition, after) -> {
            if (previous.admitted.get(partition) != after) {
                listeners.fire(l -> l.onResumed(after));
            }
        });
    }

    private static String stopReason(AuthoritySnapshot snapshot, PartitionId partition) {
        if (!snapshot.live()) {
            return snapshot.health();
        }
        Authority now = snapshot.authorities().get(partition);
        if (now.movingTo().isPresent()) {
            return "a planned switchover moves it to " + now.movingTo().get() + " at epoch " + now.epoch();
        }
        if (now.phase() == Authority.Phase.FENCING) {
            return "fencing in progress: " + now.owner() + " claimed epoch " + now.epoch();
        }
        return "authority is now " + now.owner() + " at epoch " + now.epoch() + " (" + now.reason() + ")";
    }

    /** Stops admitting everything and detaches from the watcher. */
    @Override
    public void close() {
        watcher.removeListener(hook);
        update(gate.snapshot, true);
    }
}
