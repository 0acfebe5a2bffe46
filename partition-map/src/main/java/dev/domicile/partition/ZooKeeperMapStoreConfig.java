package dev.domicile.partition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of a {@link ZooKeeperPartitionMapStore}. Immutable; validated on construction.
 *
 * @param rootPath     the znode under which the map lives (its document at {@code <root>/map}, assignment shards
 *                     under {@code <root>/shards}); absolute, no trailing slash
 * @param startTimeout how long {@link ZooKeeperPartitionMapStore#open} waits for the first map from ZooKeeper before
 *                     it falls back to the snapshot file (or fails without one); positive
 * @param snapshotFile where to keep a local copy of the last good map, so a restart works while ZooKeeper is
 *                     unreachable; empty for none
 * @throws IllegalArgumentException naming the key, the value and the rule
 */
public record ZooKeeperMapStoreConfig(String rootPath, Duration startTimeout, Optional<Path> snapshotFile) {

    /** Default of {@code startTimeout}. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(10);

    public ZooKeeperMapStoreConfig {
        Objects.requireNonNull(rootPath, "rootPath");
        if (!rootPath.matches("(/[A-Za-z0-9._-]+)+")) {
            throw new IllegalArgumentException("rootPath '" + rootPath + "' is invalid: use an absolute znode path"
                    + " of segments made of letters, digits, '.', '_' and '-', without a trailing '/'");
        }
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout " + startTimeout + " is invalid: it must be positive");
        }
        Objects.requireNonNull(snapshotFile, "snapshotFile");
    }

    /** The defaults under {@code rootPath}: start timeout {@link #DEFAULT_START_TIMEOUT}, no snapshot file. */
    public static ZooKeeperMapStoreConfig of(String rootPath) {
        return new ZooKeeperMapStoreConfig(rootPath, DEFAULT_START_TIMEOUT, Optional.empty());
    }

    /** This configuration with another start timeout. */
    public ZooKeeperMapStoreConfig withStartTimeout(Duration value) {
        return new ZooKeeperMapStoreConfig(rootPath, value, snapshotFile);
    }

    /** This configuration with a snapshot file. */
    public ZooKeeperMapStoreConfig withSnapshotFile(Path value) {
        return new ZooKeeperMapStoreConfig(rootPath, startTimeout, Optional.of(value));
    }

    String mapPath() {
        return rootPath + "/map";
    }

    String shardPath(int shard) {
        return rootPath + "/shards/" + String.format("%04x", shard);
    }
}
