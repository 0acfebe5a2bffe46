package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code domicile.local-site}: the site this process runs in, as written in the configuration. Bound as is and
 * checked by {@link DomicileConfig}, so that a missing or undeclared value fails start-up with the key named.
 *
 * @param localSite the local site's name; must be one of {@code domicile.sites}
 */
@ConfigurationProperties("domicile")
record DomicileProperties(@Nullable String localSite) {
}
