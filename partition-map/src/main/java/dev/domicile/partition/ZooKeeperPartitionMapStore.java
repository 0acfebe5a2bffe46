package dev.domicile.partition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition map kept in ZooKeeper and watched: every router opens one, and all of them swap to each new version
 * within milliseconds. Layout under the root path: {@code map} holds the document (sites, partitions, rules, and the
 * expected data version of each shard); {@code shards/0000}… hold explicit assignments, a user in the shard given by
 * the top bits of the hash of their key, so no user key ever appears in a path. Changing one user rewrites one shard
 * and the document in one transaction, compare-and-set on both znode versions.
 *
 * <p>Design note: one thread ({@code domicile-partition-map@<root>}) loads documents, so versions are put in force in
 * order; a reload fetches only the shards whose version changed. The connection-state listener flags the store
 * {@linkplain #stale() stale} as soon as Curator reports SUSPENDED or LOST; the last good map keeps being served. A
 * malformed or invalid document is {@linkplain #lastRejection() rejected} and the map in force stays. A second thread
 * ({@code domicile-partition-map-snapshot@<root>}) writes the optional snapshot file, coalescing bursts.
 *
 * <p>Lifecycle: {@link #open} starts it; {@link #close()} stops its threads and watches (the Curator client is the
 * caller's and stays open). Thread-safe.
 */
public final class ZooKeeperPartitionMapStore implements PartitionMapStore {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperPartitionMapStore.class);

    private final CuratorFramework client;
    private final ZooKeeperMapStoreConfig config;
    private final Listeners listeners = new Listeners();
    private final ExecutorService loader;
    private final ExecutorService snapshots;
    private final CuratorWatcher watcher = event -> reloadLater();
    private final ConnectionStateListener connectionListener = this::connectionChanged;
    private final CompletableFuture<PartitionMap> firstMap = new CompletableFuture<>();
    private final AtomicBoolean stale = new AtomicBoolean(true);
    private final AtomicReference<PartitionMap> pendingSnapshot = new AtomicReference<>();
    private volatile Loaded loaded;
    private volatile Rejection lastRejection;
    private volatile boolean closed;

    private record Loaded(PartitionMap map, int[] shardVersions) {
    }

    private ZooKeeperPartitionMapStore(CuratorFramework client, ZooKeeperMapStoreConfig config) {
        this.client = client;
        this.config = config;
        this.loader = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("domicile-partition-map@" + config.rootPath()).factory());
        this.snapshots = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("domicile-partition-map-snapshot@" + config.rootPath()).factory());
    }

    /**
     * Creates a map in ZooKeeper: the document and {@code shardCount} assignment shards under
     * {@code config.rootPath()}. Choose {@code shardCount} so that no shard nears ZooKeeper's 1 MiB limit: 1024
     * shards hold over a million users with keys up to 64 bytes. Not atomic: a failed initialization leaves
     * znodes to delete before retrying.
     *
     * @throws PartitionMapStoreException if the root znode exists or ZooKeeper fails
     * @throws IllegalArgumentException   if {@code shardCount} is not a power of two from 256 to 65536
     */
    public static void initialize(CuratorFramework client, ZooKeeperMapStoreConfig config,
            PartitionMapDefinition definition, int shardCount) {
        ZkWriter.initialize(Objects.requireNonNull(client, "client"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(definition, "definition"), shardCount);
    }

    /**
     * Opens the map under {@code config.rootPath()} and waits up to {@code config.startTimeout()} for its first load.
     * If ZooKeeper does not deliver in time and a snapshot file exists, serves the snapshot, stale, and keeps trying.
     *
     * @param client a started Curator client; it stays the caller's to close (after this store)
     * @throws PartitionMapStoreException if no map could be loaded from ZooKeeper or from a snapshot
     */
    public static ZooKeeperPartitionMapStore open(CuratorFramework client, ZooKeeperMapStoreConfig config) {
        ZooKeeperPartitionMapStore store = new ZooKeeperPartitionMapStore(Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(config, "config"));
        client.getConnectionStateListenable().addListener(store.connectionListener);
        store.reloadLater();
        try {
            store.firstMap.get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return store;
        } catch (TimeoutException e) {
            PartitionMap snapshot = store.readSnapshot();
            if (snapshot != null) {
                store.startFromSnapshot(snapshot);
                return store;
            }
            store.close();
            Rejection rejection = store.lastRejection;
            throw new PartitionMapStoreException("no partition map loaded from ZooKeeper at " + config.rootPath()
                    + " within " + config.startTimeout() + (rejection == null ? "" : " (last document rejected: "
                    + rejection.problem() + ")") + " and no snapshot file to fall back to");
        } catch (InterruptedException e) {
            store.close();
            Thread.currentThread().interrupt();
            throw new PartitionMapStoreException("interrupted while opening the partition map at "
                    + config.rootPath(), e);
        } catch (ExecutionException e) {
            store.close();
            throw new PartitionMapStoreException("cannot open the partition map at " + config.rootPath(), e);
        }
    }

    private PartitionMap readSnapshot() {
        Optional<Path> file = config.snapshotFile().filter(Files::exists);
        if (file.isEmpty()) {
            return null;
        }
        try {
            return SnapshotFile.read(file.get());
        } catch (IOException e) {
            LOG.warn("cannot read partition map snapshot {}: {}", file.get(), e.toString());
            return null;
        }
    }

    /** Serves a snapshot unless the loader thread, blocked in ZooKeeper until now, has loaded a map meanwhile. */
    private void startFromSnapshot(PartitionMap snapshot) {
        boolean installed;
        synchronized (this) {
            installed = loaded == null;
            if (installed) {
                loaded = new Loaded(snapshot, null);
                stale.set(true);
            }
        }
        if (installed) {
            LOG.warn("serving partition map version {} from snapshot {} until ZooKeeper at {} answers",
                    snapshot.version(), config.snapshotFile().orElseThrow(), config.rootPath());
            listeners.fire(l -> l.onUpdate(null, snapshot));
            listeners.fire(l -> l.onStale(snapshot, "loaded from the snapshot file; ZooKeeper did not answer"));
            firstMap.complete(snapshot);
        }
    }

    @Override
    public PartitionMap current() {
        Loaded current = loaded;
        if (current == null) {
            throw new IllegalStateException("the partition map store at " + config.rootPath() + " failed to open");
        }
        return current.map();
    }

    @Override
    public boolean stale() {
        return stale.get();
    }

    @Override
    public Optional<Rejection> lastRejection() {
        return Optional.ofNullable(lastRejection);
    }

    @Override
    public long apply(MapChange change, long expectedVersion) {
        if (closed) {
            throw new IllegalStateException("the partition map store at " + config.rootPath() + " is closed");
        }
        return ZkWriter.apply(client, config, Objects.requireNonNull(change, "change"), expectedVersion);
    }

    @Override
    public void addListener(PartitionMapListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PartitionMapListener listener) {
        listeners.remove(listener);
    }

    private void connectionChanged(CuratorFramework source, ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST, READ_ONLY -> markStale("ZooKeeper connection " + state);
            case CONNECTED, RECONNECTED -> reloadLater();
        }
    }

    private void reloadLater() {
        if (!closed) {
            loader.execute(this::reload);
        }
    }

    private void reload() {
        if (closed) {
            return;
        }
        String mapPath = config.mapPath();
        try {
            Stat stat = new Stat();
            byte[] bytes = client.getData().storingStatIn(stat).usingWatcher(watcher).forPath(mapPath);
            ZkHeader header;
            try {
                header = ZkHeader.parse(bytes, mapPath + " (znode version " + stat.getVersion() + ")");
            } catch (InvalidPartitionMapException e) {
                reject(mapPath, stat.getVersion(), e.getMessage());
                return;
            }
            Loaded current = loaded;
            if (current != null && header.version() <= current.map().version() && current.shardVersions() != null) {
                if (header.version() < current.map().version()) {
                    reject(mapPath, stat.getVersion(), "map version " + header.version()
                            + " is older than the version in force");
                }
                markFresh();
                return;
            }
            Loaded next = load(header, current);
            if (next != null) {
                synchronized (this) {
                    loaded = next;
                }
                PartitionMap previous = current == null ? null : current.map();
                listeners.fire(l -> l.onUpdate(previous, next.map()));
                firstMap.complete(next.map());
                markFresh();
                snapshotLater(next.map());
            }
        } catch (KeeperException.NoNodeException e) {
            watchForCreation(mapPath);
        } catch (InvalidPartitionMapException e) {
            reject(mapPath, -1, e.getMessage());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            markStale("cannot read " + mapPath + ": " + e);
        }
    }

    /** Loads the shards that changed; null if a shard is already newer than the document (a reload follows). */
    private Loaded load(ZkHeader header, Loaded current) throws Exception {
        int count = header.shardCount();
        boolean reuse = current != null && current.shardVersions() != null
                && current.shardVersions().length == count;
        AssignmentShard[] shards = reuse ? current.map().assignments().shardsCopy() : new AssignmentShard[count];
        for (int i = 0; i < count; i++) {
            if (!reuse || current.shardVersions()[i] != header.shardVersions()[i]) {
                String path = config.shardPath(i);
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(path);
                if (stat.getVersion() != header.shardVersions()[i]) {
                    return null;
                }
                try {
                    shards[i] = ZkShards.compile(data, i, count, header.definition().partitions(), path);
                } catch (InvalidPartitionMapException e) {
                    reject(path, stat.getVersion(), e.getMessage());
                    return null;
                }
            }
            Assignments.packIfGroupEnds(shards, i);
        }
        boolean samePartitions = current != null
                && current.map().partitions().equals(header.definition().partitions());
        HashSlots slots = samePartitions ? current.map().slots() : HashSlots.of(header.definition().partitions());
        return new Loaded(new PartitionMap(header.definition(), Assignments.of(shards), slots),
                header.shardVersions());
    }

    private void watchForCreation(String mapPath) {
        try {
            if (client.checkExists().usingWatcher(watcher).forPath(mapPath) != null) {
                reloadLater();
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            markStale("cannot watch " + mapPath + ": " + e);
        }
    }

    private void reject(String source, long documentVersion, String problem) {
        Rejection previous = lastRejection;
        if (previous != null && previous.source().equals(source) && previous.documentVersion() == documentVersion) {
            return; // the same bad document read again (a reload of an unchanged node): reported already
        }
        Loaded current = loaded;
        Rejection rejection = new Rejection(source, documentVersion, problem,
                current == null ? 0 : current.map().version());
        lastRejection = rejection;
        LOG.error("rejected partition map document {} (version {}), keeping map version {}: {}", source,
                documentVersion, rejection.mapInForce(), problem);
        listeners.fire(l -> l.onRejected(rejection));
    }

    private void markStale(String reason) {
        Loaded current = loaded;
        if (stale.compareAndSet(false, true) && current != null) {
            LOG.warn("partition map at {} is stale, serving version {}: {}", config.rootPath(),
                    current.map().version(), reason);
            listeners.fire(l -> l.onStale(current.map(), reason));
        }
    }

    private void markFresh() {
        Loaded current = loaded;
        if (current != null && current.shardVersions() != null && client.getZookeeperClient().isConnected()
                && stale.compareAndSet(true, false)) {
            listeners.fire(l -> l.onFresh(current.map()));
        }
    }

    private void snapshotLater(PartitionMap map) {
        if (config.snapshotFile().isPresent() && pendingSnapshot.getAndSet(map) == null && !closed) {
            snapshots.execute(this::writeSnapshot);
        }
    }

    private void writeSnapshot() {
        PartitionMap map = pendingSnapshot.getAndSet(null);
        Path file = config.snapshotFile().orElseThrow();
        try {
            SnapshotFile.write(file, map);
        } catch (IOException e) {
            LOG.warn("cannot write partition map snapshot {}: {}", file, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.getConnectionStateListenable().removeListener(connectionListener);
        try {
            client.watchers().remove(watcher).ofType(org.apache.zookeeper.Watcher.WatcherType.Any).locally()
                    .forPath(config.mapPath());
        } catch (Exception e) {
            LOG.debug("no watch to remove on {}: {}", config.mapPath(), e.toString());
        }
        loader.shutdown();
        snapshots.shutdown();
        try {
            if (!loader.awaitTermination(10, TimeUnit.SECONDS) || !snapshots.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("partition map store threads at {} did not stop within 10 s", config.rootPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        Loaded current = loaded;
        return "ZooKeeperPartitionMapStore[" + config.rootPath() + ", version "
                + (current == null ? "none" : current.map().version()) + (stale() ? ", stale" : "") + "]";
    }
}
