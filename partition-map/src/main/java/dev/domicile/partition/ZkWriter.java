package dev.domicile.partition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** Writes of the ZooKeeper store: creating a map, and applying one change as a compare-and-set transaction. */
final class ZkWriter {

    private ZkWriter() {
    }

    static void initialize(CuratorFramework client, ZooKeeperMapStoreConfig config, PartitionMapDefinition definition,
            int shardCount) {
        Assignments.checkShardCount(shardCount);
        List<Map<String, PartitionId>> shards = new ArrayList<>(shardCount);
        for (int i = 0; i < shardCount; i++) {
            shards.add(new LinkedHashMap<>());
        }
        definition.assignments().forEach((key, partition) -> shards.get(
                Assignments.shardOf(KeyHash.routing(key), shardCount)).put(key, partition));
        String root = config.rootPath();
        try {
            try {
                client.create().creatingParentContainersIfNeeded().forPath(root);
            } catch (KeeperException.NodeExistsException e) {
                throw new PartitionMapStoreException("cannot initialize a partition map at " + root
                        + ": the znode exists already; delete it first or use another root path", e);
            }
            for (int i = 0; i < shardCount; i++) {
                String path = config.shardPath(i);
                client.create().creatingParentsIfNeeded().forPath(path,
                        ZkShards.checkedSize(MapJson.writeShard(shards.get(i)), path));
            }
            ZkHeader header = new ZkHeader(definition.withoutAssignments(), new int[shardCount]);
            client.create().forPath(config.mapPath(), header.toBytes());
        } catch (PartitionMapStoreException | InvalidPartitionMapException e) {
            throw e;
        } catch (Exception e) {
            throw storeFailure("cannot initialize the partition map at " + root, e);
        }
    }

    static long apply(CuratorFramework client, ZooKeeperMapStoreConfig config, MapChange change,
            long expectedVersion) {
        String mapPath = config.mapPath();
        try {
            Stat mapStat = new Stat();
            byte[] bytes = client.getData().storingStatIn(mapStat).forPath(mapPath);
            ZkHeader header;
            try {
                header = ZkHeader.parse(bytes, mapPath + " (znode version " + mapStat.getVersion() + ")");
            } catch (InvalidPartitionMapException e) {
                throw new PartitionMapStoreException("the map document is invalid; repair it before changing the"
                        + " map: " + e.getMessage(), e);
            }
            if (header.version() != expectedVersion) {
                throw new ConcurrentChangeException(change, expectedVersion, header.version());
            }
            PartitionMapDefinition current = header.definition();
            if (change instanceof MapChange.AssignUser assign) {
                return assign(client, config, header, mapStat, assign);
            }
            ZkHeader next = header.withChange(current.apply(change), -1, 0);
            client.setData().withVersion(mapStat.getVersion()).forPath(mapPath, next.toBytes());
            return next.version();
        } catch (KeeperException.BadVersionException e) {
            throw new ConcurrentChangeException(change, expectedVersion, -1);
        } catch (KeeperException.NoNodeException e) {
            throw new PartitionMapStoreException("no partition map at " + config.rootPath() + " (missing "
                    + e.getPath() + "); initialize it first", e);
        } catch (ConcurrentChangeException | PartitionMapStoreException | InvalidPartitionMapException e) {
            throw e;
        } catch (Exception e) {
            throw storeFailure("cannot change the partition map at " + config.rootPath(), e);
        }
    }

    private static long assign(CuratorFramework client, ZooKeeperMapStoreConfig config, ZkHeader header,
            Stat mapStat, MapChange.AssignUser assign) throws Exception {
        PartitionMapDefinition current = header.definition();
        if (current.partitions().stream().noneMatch(p -> p.id().equals(assign.partition()))) {
            throw new InvalidPartitionMapException("cannot assign a user to unknown partition " + assign.partition()
                    + "; partitions of map version " + current.version() + ": "
                    + current.partitions().stream().map(Partition::id).toList());
        }
        int shard = Assignments.shardOf(KeyHash.routing(assign.userKey()), header.shardCount());
        String shardPath = config.shardPath(shard);
        Stat shardStat = new Stat();
        byte[] data = client.getData().storingStatIn(shardStat).forPath(shardPath);
        if (shardStat.getVersion() != header.shardVersions()[shard]) {
            throw new ConcurrentChangeException(assign, current.version(), -1);
        }
        Map<String, PartitionId> raw = ZkShards.raw(data, shardPath);
        raw.put(assign.userKey(), assign.partition());
        byte[] shardBytes = ZkShards.checkedSize(MapJson.writeShard(raw), shardPath);
        PartitionMapDefinition next = new PartitionMapDefinition(current.version() + 1, current.sites(),
                current.partitions(), current.rules(), Map.of());
        ZkHeader nextHeader = header.withChange(next, shard, shardStat.getVersion() + 1);
        CuratorOp writeShard = client.transactionOp().setData().withVersion(shardStat.getVersion())
                .forPath(shardPath, shardBytes);
        CuratorOp writeMap = client.transactionOp().setData().withVersion(mapStat.getVersion())
                .forPath(config.mapPath(), nextHeader.toBytes());
        client.transaction().forOperations(writeShard, writeMap);
        return next.version();
    }

    static PartitionMapStoreException storeFailure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new PartitionMapStoreException(what + ": " + e, e);
    }
}
