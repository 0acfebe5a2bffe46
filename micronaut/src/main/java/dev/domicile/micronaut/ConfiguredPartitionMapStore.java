package dev.domicile.micronaut;

import dev.domicile.partition.MapChange;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.PartitionMapListener;
import dev.domicile.partition.PartitionMapStore;
import dev.domicile.partition.Rejection;
import java.util.Optional;

/**
 * The partition map described by the {@code domicile.sites} and {@code domicile.partitions} configuration, used when
 * no {@code domicile.map.file} is set. It never changes and is never stale; changes need a map file (or, later, the
 * ZooKeeper store). Thread-safe.
 */
final class ConfiguredPartitionMapStore implements PartitionMapStore {

    private final PartitionMap map;

    ConfiguredPartitionMapStore(PartitionMapDefinition definition) {
        this.map = PartitionMap.of(definition);
    }

    @Override
    public PartitionMap current() {
        return map;
    }

    @Override
    public boolean stale() {
        return false;
    }

    @Override
    public Optional<Rejection> lastRejection() {
        return Optional.empty();
    }

    /** @throws UnsupportedOperationException always: a configured map is fixed; set domicile.map.file to change it */
    @Override
    public long apply(MapChange change, long expectedVersion) {
        throw new UnsupportedOperationException("the partition map is built from domicile.partitions and cannot"
                + " change at run time; set domicile.map.file to keep it in a file that can");
    }

    /** Accepted and never called: the map never changes. */
    @Override
    public void addListener(PartitionMapListener listener) {
    }

    @Override
    public void removeListener(PartitionMapListener listener) {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "ConfiguredPartitionMapStore[version " + map.version() + "]";
    }
}
