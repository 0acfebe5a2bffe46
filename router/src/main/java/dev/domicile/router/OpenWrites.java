package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The write connections that are bound right now, per partition, so that when authority over a partition is lost
 * every transaction still open on it can be aborted at once instead of waiting to be refused at commit. Thread-safe.
 */
final class OpenWrites {

    private final Map<PartitionId, Set<LazyConnection>> open = new ConcurrentHashMap<>();

    void add(PartitionId partition, LazyConnection connection) {
        open.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet()).add(connection);
    }

    void remove(PartitionId partition, LazyConnection connection) {
        Set<LazyConnection> connections = open.get(partition);
        if (connections != null) {
            connections.remove(connection);
        }
    }

    /** Aborts every write connection bound to {@code partition}; returns how many. */
    int abortAll(PartitionId partition, String reason) {
        Set<LazyConnection> connections = open.get(partition);
        if (connections == null) {
            return 0;
        }
        int aborted = 0;
        for (LazyConnection connection : connections) {
            if (connection.abortForAuthority(reason)) {
                aborted++;
            }
            connections.remove(connection);
        }
        return aborted;
    }
}
