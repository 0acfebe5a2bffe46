package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the authority of every partition and its lease node, for one router. Every router runs one; they all see
 * a change within milliseconds. The current knowledge is an immutable {@link AuthoritySnapshot}, swapped atomically.
 *
 * <p>Design note: one persistent recursive watch on the root reports every change; one thread
 * ({@code domicile-authority-watcher@<root>}) reads the changed node and publishes, so changes apply in order; a
 * second ({@code domicile-authority-heartbeat@<root>}) runs the {@link ContactGuard}, so a read stuck in Curator's
 * retry loop cannot delay it. The
 * snapshot is live only while Curator reports CONNECTED/RECONNECTED <em>and</em> every node was re-read after that
 * (re)connection: SUSPENDED, LOST or READ_ONLY make it not live at once, on Curator's thread, and so does a
 * {@linkplain AuthorityConfig#contactTimeout() contact timeout} without any answer from ZooKeeper, which the
 * watcher's heartbeat detects sooner than the client's own disconnection (⅔ of the session timeout). A malformed or
 * foreign document (a bad {@linkplain Authority.Phase phase} included), one for another partition, an unknown owner,
 * an epoch that goes backwards, or an ACTIVE epoch that goes back to FENCING is refused
 * ({@link AuthorityListener#onRejected}) and the last good authority stays.
 *
 * <p>Lifecycle: {@link #start} starts it; {@link #close()} removes the watch and listener and stops both threads (the
 * Curator client stays the caller's). Thread-safe.
 */
public final class AuthorityWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorityWatcher.class);
    private static final long RETRY_MILLIS = 250;

    private final CuratorFramework client;
    private final AuthorityConfig config;
    private final Clock clock;
    private final SnapshotPublisher publisher;
    private final ScheduledExecutorService loader;
    private final ScheduledExecutorService heartbeat;
    private final Watcher watcher = this::onEvent;
    private final ConnectionStateListener connectionListener = (c, state) -> connectionChanged(state);
    private final ContactGuard guard;
    private final NodeReader reader;
    private volatile boolean closed;

    private AuthorityWatcher(CuratorFramework client, AuthorityConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.publisher = new SnapshotPublisher(config.rootPath(), clock);
        this.reader = new NodeReader(client, config, publisher::current);
        this.loader = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("domicile-authority-watcher@" + config.rootPath()).factory());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("domicile-authority-heartbeat@" + config.rootPath()).factory());
        this.guard = new ContactGuard(client, config.rootPath(), config.contactTimeout(), clock, this::contactChanged);
    }

    /** Starts watching with the system clock. See {@link #start(CuratorFramework, AuthorityConfig, Clock)}. */
    public static AuthorityWatcher start(CuratorFramework client, AuthorityConfig config) {
        return start(client, config, Clock.systemUTC());
    }

    /**
     * Starts watching under {@code config.rootPath()}. Returns at once; the snapshot becomes live when the first full
     * read completes.
     *
     * @param client a started Curator client; it stays the caller's to close (after this watcher)
     * @param clock  the time of lease absences and takeover checks
     */
    public static AuthorityWatcher start(CuratorFramework client, AuthorityConfig config, Clock clock) {
        AuthorityWatcher w = new AuthorityWatcher(Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(config, "config"), Objects.requireNonNull(clock, "clock"));
        client.getConnectionStateListenable().addListener(w.connectionListener);
        if (client.getZookeeperClient().isConnected()) {
            w.connectionChanged(ConnectionState.CONNECTED);
        }
        w.guard.start(w.heartbeat);
        return w;
    }

    /** What this watcher knows now: a volatile read, never blocks. */
    public AuthoritySnapshot snapshot() {
        return publisher.current();
    }

    /** The last good authority of {@code partition}, if any was seen. */
    public Optional<Authority> authority(PartitionId partition) {
        return snapshot().authority(partition);
    }

    /** The last node this watcher refused, if any. */
    public Optional<AuthorityRejection> lastRejection() {
        return Optional.ofNullable(publisher.lastRejection());
    }

    /** This watcher's configuration. */
    public AuthorityConfig config() {
        return config;
    }

    /** Adds a listener; it is called at once with the current snapshot, then with every change. */
    public void addListener(AuthorityListener listener) {
        publisher.subscribe(listener);
    }

    /** Removes a listener. */
    public void removeListener(AuthorityListener listener) {
        publisher.unsubscribe(listener);
    }

    /**
     * Whether {@code standby} may take {@code partition} over now: this watcher is live, the standby is not the owner
     * and is allowed by the failover order, the owner's lease node is gone, and the safety margin has passed since
     * this watcher saw it gone. Never blocks.
     *
     * @throws IllegalArgumentException if {@code standby} is not a known site
     */
    public TakeoverCheck takeoverCheck(PartitionId partition, SiteId standby) {
        if (!config.sites().contains(standby)) {
            throw new IllegalArgumentException("standby " + standby + " is not a known site " + config.sites());
        }
        AuthoritySnapshot s = snapshot();
        Optional<Authority> current = s.authority(partition);
        String refusal = !s.live() ? "this watcher is not live (" + s.health() + ")"
                : current.isEmpty() ? "no authority is known for the partition"
                : current.get().owner().equals(standby) ? standby + " already owns it at epoch " + current.get().epoch()
                : !config.mayTakeOver(partition, standby) ? standby + " is not in the failover order "
                        + config.failoverOrder().get(partition)
                : s.leases().containsKey(partition) ? "the lease is held by " + s.leases().get(partition).holder()
                        + " (session 0x" + Long.toHexString(s.leases().get(partition).sessionId()) + ")"
                : null;
        if (refusal != null) {
            return new TakeoverCheck(partition, standby, current, Optional.empty(), false, refusal);
        }
        Instant gone = s.leaseAbsentSince().get(partition);
        Instant eligibleAt = gone.plus(config.safetyMargin());
        boolean eligible = !clock.instant().isBefore(eligibleAt);
        return new TakeoverCheck(partition, standby, current, Optional.of(eligibleAt), eligible,
                "the lease of " + current.get().owner() + " is gone since " + gone + "; safety margin "
                        + config.safetyMargin() + (eligible ? " passed" : " until " + eligibleAt));
    }

    private void connectionChanged(ConnectionState state) {
        if (closed) {
            return;
        }
        boolean up = state.isConnected() && state != ConnectionState.READ_ONLY;
        guard.curatorConnected(up);
        readIfConnected(publisher.linkChanged(up, up ? Boolean.TRUE : null, "ZooKeeper connection " + state));
    }

    private void contactChanged(boolean ok, String health) {
        if (!closed) {
            readIfConnected(publisher.linkChanged(null, ok, health));
        }
    }

    private void readIfConnected(long generation) {
        if (generation >= 0) {
            submit(() -> fullRead(generation), 0);
        }
    }

    private void submit(Runnable task, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            loader.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("authority watcher at {} is closing", config.rootPath());
        }
    }

    private void fullRead(long generation) {
        if (closed || !publisher.isCurrent(generation)) {
            return;
        }
        try {
            client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher)
                    .forPath(config.rootPath());
            Map<PartitionId, Authority> authorities = new HashMap<>();
            List<AuthorityRejection> rejections = new ArrayList<>();
            for (String name : reader.children(config.partitionsPath())) {
                reader.readAuthority(name, authorities, rejections);
            }
            Map<PartitionId, Lease> leases = new HashMap<>();
            for (String name : reader.children(config.leasesPath())) {
                Lease lease = reader.readLease(name);
                if (lease != null) {
                    leases.put(lease.partition(), lease);
                }
            }
            publisher.fullRead(generation, authorities, leases, rejections);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.warn("cannot read authority under {}, retrying: {}", config.rootPath(), e.toString());
            submit(() -> fullRead(generation), RETRY_MILLIS);
        }
    }

    private void onEvent(WatchedEvent event) {
        String path = event.getPath();
        if (event.getType() == Watcher.Event.EventType.None || path == null) {
            return;
        }
        submit(() -> reload(path), 0);
    }

    private void reload(String path) {
        if (closed) {
            return;
        }
        try {
            int slash = path.lastIndexOf('/');
            String parent = path.substring(0, slash);
            String name = path.substring(slash + 1);
            if (parent.equals(config.partitionsPath())) {
                Map<PartitionId, Authority> read = new HashMap<>();
                List<AuthorityRejection> rejections = new ArrayList<>();
                reader.readAuthority(name, read, rejections);
                rejections.forEach(publisher::reject);
                read.values().forEach(a -> publisher.authorityRead(a, -1));
            } else if (parent.equals(config.leasesPath()) && NodeReader.partitionName(name) != null) {
                publisher.leaseRead(NodeReader.partitionName(name), reader.readLease(name));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.debug("cannot reload {} (the next full read will): {}", path, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.getConnectionStateListenable().removeListener(connectionListener);
        publisher.linkChanged(false, null, "closed");
        try {
            client.watchers().remove(watcher).ofType(Watcher.WatcherType.Any).locally().forPath(config.rootPath());
        } catch (Exception e) {
            LOG.debug("no watch to remove on {}: {}", config.rootPath(), e.toString());
        }
        heartbeat.shutdownNow();
        loader.shutdownNow();
        try {
            if (!loader.awaitTermination(10, TimeUnit.SECONDS) || !heartbeat.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("authority watcher thread at {} did not stop within 10 s", config.rootPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        AuthoritySnapshot s = snapshot();
        return "AuthorityWatcher[" + config.rootPath() + ", " + s.health() + ", " + s.authorities().size()
                + " partitions]";
    }
}
