package dev.domicile.partition;

import java.util.Optional;

/**
 * Where a partition map lives, and the only way to change it. A store always serves a map once opened: never an
 * empty one, and if its backing storage is unreachable, the last good one, flagged {@link #stale()}.
 *
 * <p>Implementations are thread-safe. {@link #close()} is idempotent; after it, {@link #current()} still answers with
 * the last map but {@link #apply} throws {@link IllegalStateException}.
 */
public interface PartitionMapStore extends AutoCloseable {

    /** The map in force. Never null; reading it is one volatile read. */
    PartitionMap current();

    /** Whether the store cannot currently confirm that {@link #current()} is the latest version. */
    boolean stale();

    /** The last document this store refused, if any. */
    Optional<Rejection> lastRejection();

    /**
     * Applies one change, compare-and-set on the map version.
     *
     * @param change          the change
     * @param expectedVersion the version the caller based the change on
     * @return the new map version ({@code expectedVersion + 1}); the store serves it once it has loaded it
     * @throws ConcurrentChangeException   if the map is no longer at {@code expectedVersion}
     * @throws InvalidPartitionMapException if the change would break a rule of {@link PartitionMapDefinition}
     * @throws PartitionMapStoreException  if the backing storage cannot be read or written
     * @throws IllegalStateException       after {@link #close()}
     */
    long apply(MapChange change, long expectedVersion);

    /** Registers a listener; it is told of events from now on. */
    void addListener(PartitionMapListener listener);

    /** Removes a listener registered with {@link #addListener}. */
    void removeListener(PartitionMapListener listener);

    /** Stops watching and releases threads; never throws. */
    @Override
    void close();
}
