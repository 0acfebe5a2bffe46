package dev.domicile.micronaut;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code domicile.sites.<name>.*}: one declared site, as written in the configuration; checked by
 * {@link DomicileConfig}.
 *
 * @param name     the site's name (the key under {@code domicile.sites})
 * @param baseUrl  {@code base-url}: where the site's service answers, for forwarding (not used by this version)
 * @param redisUri {@code redis-uri}: the site's Redis, for sessions (not used by this version)
 */
@EachProperty("domicile.sites")
record SiteProperties(@Parameter String name, @Nullable String baseUrl, @Nullable String redisUri) {
}
