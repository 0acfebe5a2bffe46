package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;

/**
 * {@code domicile.map.*}: where the partition map comes from.
 *
 * @param file {@code domicile.map.file}: a JSON map kept by a {@code FilePartitionMapStore}, created from the
 *             configured sites and partitions if it does not exist; absent, the map is built from the configuration
 *             and cannot change at run time
 */
@ConfigurationProperties("domicile.map")
record MapProperties(@Nullable Path file) {
}
