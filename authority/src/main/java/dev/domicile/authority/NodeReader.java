package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Reads the nodes under an authority root for an {@link AuthorityWatcher}: authority documents (parsed strictly,
 * bad ones turned into {@link AuthorityRejection}s) and lease nodes (with the session that owns them). Blocking;
 * used from the watcher's thread only.
 */
final class NodeReader {

    private final CuratorFramework client;
    private final AuthorityConfig config;
    private final Supplier<AuthoritySnapshot> current;

    NodeReader(CuratorFramework client, AuthorityConfig config, Supplier<AuthoritySnapshot> current) {
        this.client = client;
        this.config = config;
        this.current = current;
    }

    /** The children of {@code path}; none if it does not exist. */
    List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** Reads {@code partitions/<name>} into {@code into}, or adds why it cannot be believed to {@code rejections}. */
    void readAuthority(String name, Map<PartitionId, Authority> into, List<AuthorityRejection> rejections)
            throws Exception {
        String path = config.partitionsPath() + "/" + name;
        PartitionId partition = partitionName(name);
        if (partition == null) {
            rejections.add(new AuthorityRejection(path, -1, "'" + name + "' is not a partition name",
                    Optional.empty()));
            return;
        }
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            rejections.add(new AuthorityRejection(path, -1, "authority node was deleted",
                    current.get().authority(partition)));
            return;
        }
        try {
            into.put(partition, AuthorityDocument.read(data, partition, config.sites()));
        } catch (IllegalArgumentException e) {
            rejections.add(new AuthorityRejection(path, stat.getVersion(), e.getMessage(),
                    current.get().authority(partition)));
        }
    }

    /** The lease node {@code leases/<name>}, or null if it does not exist or is not a partition's. */
    Lease readLease(String name) throws Exception {
        PartitionId partition = partitionName(name);
        if (partition == null) {
            return null;
        }
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(config.leasesPath() + "/" + name);
            String holder = data == null ? "" : new String(data, StandardCharsets.UTF_8);
            return new Lease(partition, holder, stat.getEphemeralOwner());
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    static PartitionId partitionName(String name) {
        try {
            return PartitionId.of(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
