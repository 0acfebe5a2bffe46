package dev.domicile.micronaut;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/**
 * {@code domicile.sites.<name>.*}: one declared site, as written in the configuration; checked by
 * {@link DomicileConfig}.
 *
 * @param name     the site's name (the key under {@code domicile.sites})
 * @param baseUrl             {@code base-url}: where the site's service answers, for forwarding
 * @param redisUri            {@code redis-uri}: the site's Redis, for sessions
 * @param redisConnectTimeout {@code redis-connect-timeout}: how long a connection to that Redis may take to open
 * @param redisCommandTimeout {@code redis-command-timeout}: how long a command may wait for its reply
 * @param redisRetryAttempts  {@code redis-retry-attempts}: how often a failed command is retried
 */
@EachProperty("domicile.sites")
record SiteProperties(@Parameter String name, @Nullable String baseUrl, @Nullable String redisUri,
                      @Nullable Duration redisConnectTimeout, @Nullable Duration redisCommandTimeout,
                      @Nullable Integer redisRetryAttempts) {
}
