package dev.domicile.micronaut;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;
import java.util.Map;

/**
 * {@code domicile.partitions.<id>.*}: one partition and its databases, as written in the configuration; checked by
 * {@link DomicileConfig}.
 *
 * @param name     the partition id (the key under {@code domicile.partitions})
 * @param homeSite {@code home-site}: the site normally authoritative for the partition
 * @param failover {@code failover}: sites that may take it over, most preferred first
 * @param weight   {@code weight}: share of hashed users, default 1
 * @param primary  {@code primary.jdbc-url}, {@code primary.username}, {@code primary.password}
 * @param replicas {@code replicas[i].site}, {@code replicas[i].jdbc-url} and optionally {@code username} and
 *                 {@code password} (default: the primary's)
 */
@EachProperty("domicile.partitions")
record PartitionProperties(@Parameter String name, @Nullable String homeSite, @Nullable List<String> failover,
                           @Bindable(defaultValue = "1") int weight, @Nullable Map<String, Object> primary,
                           @Nullable List<Map<String, Object>> replicas) {
}
