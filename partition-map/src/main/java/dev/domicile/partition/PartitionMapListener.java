package dev.domicile.partition;

/**
 * Told of what happens to the map a {@link PartitionMapStore} serves. Every method has a no-op default.
 *
 * <p>Methods may be called from the store's own thread or from the ZooKeeper client's event thread, so they must be
 * thread-safe and return quickly. An exception thrown by a listener is logged and does not affect the store or other
 * listeners.
 */
public interface PartitionMapListener {

    /** A new version is in force; {@code previous} is null for the first map a store loads. */
    default void onUpdate(PartitionMap previous, PartitionMap current) {
    }

    /** The store can no longer confirm that {@code served} is current (e.g. ZooKeeper is unreachable); it keeps it. */
    default void onStale(PartitionMap served, String reason) {
    }

    /** The store confirmed again that {@code current} is current, after {@link #onStale}. */
    default void onFresh(PartitionMap current) {
    }

    /**
     * A new document was refused; the map in force stays in force. Told once per document (path and znode version),
     * however often the store reads it again.
     */
    default void onRejected(Rejection rejection) {
    }
}
