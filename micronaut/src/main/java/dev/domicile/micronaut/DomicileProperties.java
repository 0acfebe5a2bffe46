package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code domicile.local-site} and {@code domicile.edge-only}, as written in the configuration. Bound as is and
 * checked by {@link DomicileConfig}, so that a missing or undeclared value fails start-up with the key named.
 *
 * @param localSite the local site's name; must be one of {@code domicile.sites}
 * @param edgeOnly  whether this site runs no user's requests (every request with a user runs at its home); such a
 *                  site may declare no database at all
 */
@ConfigurationProperties("domicile")
record DomicileProperties(@Nullable String localSite, @Bindable(defaultValue = "false") boolean edgeOnly) {
}
