package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the lease of every partition the local site owns, for as many of them as this router wins: an ephemeral node
 * {@code <root>/leases/<partition>} created by compare-and-set (create fails if it exists). Routers of the owning
 * site compete; the node lives as long as the winner's ZooKeeper session, so its disappearance tells standbys that
 * the owner site lost ZooKeeper (see {@link AuthorityWatcher#takeoverCheck}). A router lets go of partitions its site
 * no longer owns.
 *
 * <p>A lease counts as ours only if the node's {@code ephemeralOwner} equals our current session id, never because
 * its data names us: a node left by our previous, expired session must not be mistaken for ours (CURATOR-696).
 *
 * <p>Lifecycle: {@link #start} attaches to a running watcher; its thread ({@code domicile-authority-lease@<root>})
 * reconciles after every snapshot. {@link #close()} deletes the nodes this session holds and stops the thread.
 * Thread-safe.
 */
public final class SiteLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SiteLease.class);

    private final CuratorFramework client;
    private final AuthorityConfig config;
    private final AuthorityWatcher watcher;
    private final byte[] holder;
    private final ExecutorService worker;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AuthorityListener hook = new AuthorityListener() {
        @Override
        public void onSnapshot(AuthoritySnapshot previous, AuthoritySnapshot current) {
            reconcileLater();
        }
    };
    private volatile Set<PartitionId> held = Set.of();
    private volatile boolean closed;

    private SiteLease(CuratorFramework client, AuthorityWatcher watcher) {
        this.client = client;
        this.watcher = watcher;
        this.config = watcher.config();
        this.holder = (config.localSite() + "/" + config.routerId()).getBytes(StandardCharsets.UTF_8);
        this.worker = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("domicile-authority-lease@" + config.rootPath()).factory());
    }

    /** Starts holding leases for the local site, following {@code watcher} (which must use the same client). */
    public static SiteLease start(CuratorFramework client, AuthorityWatcher watcher) {
        SiteLease lease = new SiteLease(Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(watcher, "watcher"));
        watcher.addListener(lease.hook);
        return lease;
    }

    /** The partitions this router held at its last reconciliation; a belief, cheap to read. */
    public Set<PartitionId> held() {
        return held;
    }

    /**
     * Asks ZooKeeper whether this router holds {@code partition}'s lease now: the node exists and its
     * {@code ephemeralOwner} is this client's current session. Blocks for one read.
     *
     * @throws AuthorityStoreException if ZooKeeper cannot answer
     */
    public boolean holds(PartitionId partition) {
        try {
            Stat stat = AuthorityStore.call(() -> client.checkExists().forPath(config.leasePath(partition)));
            return stat != null && stat.getEphemeralOwner() == sessionId();
        } catch (KeeperException e) {
            throw new AuthorityStoreException("cannot read the lease of " + partition + ": " + e.getMessage(), e);
        }
    }

    private long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    private void reconcileLater() {
        if (closed || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.execute(this::reconcile);
        } catch (RejectedExecutionException e) {
            pending.set(false);
        }
    }

    private void reconcile() {
        pending.set(false);
        AuthoritySnapshot snapshot = watcher.snapshot();
        if (closed || !snapshot.live()) {
            held = Set.of();
            return;
        }
        long session = sessionId();
        Set<PartitionId> now = new HashSet<>();
        for (Map.Entry<PartitionId, Authority> entry : snapshot.authorities().entrySet()) {
            PartitionId partition = entry.getKey();
            try {
                if (entry.getValue().owner().equals(config.localSite())) {
                    if (acquire(partition, session)) {
                        now.add(partition);
                    }
                } else {
                    release(partition, session);
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                LOG.debug("lease of {} not reconciled (the next snapshot retries): {}", partition, e.toString());
            }
        }
        held = Set.copyOf(now);
    }

    private boolean acquire(PartitionId partition, long session) throws Exception {
        String path = config.leasePath(partition);
        try {
            client.create().withMode(CreateMode.EPHEMERAL).withACL(config.aclProvider().getAclForPath(path))
                    .forPath(path, holder);
        } catch (KeeperException.NodeExistsException e) {
            // held by another router, or left by a session of ours that has not expired yet: the owner decides
        }
        Stat stat = client.checkExists().forPath(path);
        return stat != null && stat.getEphemeralOwner() == session;
    }

    private void release(PartitionId partition, long session) throws Exception {
        String path = config.leasePath(partition);
        Stat stat = client.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() == session) {
            client.delete().withVersion(stat.getVersion()).forPath(path);
            LOG.info("released the lease of {}: its authority moved away from {}", partition, config.localSite());
        }
    }

    /** Deletes the lease nodes this session holds (standbys see them go) and stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watcher.removeListener(hook);
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long session = sessionId();
        for (PartitionId partition : held) {
            try {
                release(partition, session);
            } catch (Exception e) {
                LOG.debug("lease of {} not released on close (it ends with the session): {}", partition, e.toString());
            }
        }
        held = Set.of();
    }
}
