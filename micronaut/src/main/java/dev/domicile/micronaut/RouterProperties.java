package dev.domicile.micronaut;

import dev.domicile.router.Consistency;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code domicile.router.*}: how the routing data source behaves; the defaults are the router's own. Checked by
 * {@link DomicileConfig}.
 *
 * @param readYourWritesWait  how long a read waits for a replica to reach the caller's token
 * @param fallbackToPrimary   whether reads fall back to the primary when no replica qualifies
 * @param probeInterval       monitor probe period of an endpoint that is up
 * @param probeTimeout        connect and socket timeout of a probe
 * @param maxDownBackoff      longest pause between probes of an endpoint that is down
 * @param maxPoolSize         HikariCP pool size per endpoint
 * @param connectionTimeout   HikariCP connection timeout
 * @param defaultPartition    where connections without a routing context go; none means they fail
 * @param defaultConsistency  consistency of requests that declare none
 * @param maxStaleness        the bound of {@code BOUNDED_STALENESS} when that is the default consistency
 */
@ConfigurationProperties("domicile.router")
record RouterProperties(@Bindable(defaultValue = "50ms") Duration readYourWritesWait,
                        @Bindable(defaultValue = "true") boolean fallbackToPrimary,
                        @Bindable(defaultValue = "200ms") Duration probeInterval,
                        @Bindable(defaultValue = "2s") Duration probeTimeout,
                        @Bindable(defaultValue = "5s") Duration maxDownBackoff,
                        @Bindable(defaultValue = "10") int maxPoolSize,
                        @Bindable(defaultValue = "5s") Duration connectionTimeout,
                        @Nullable String defaultPartition,
                        @Bindable(defaultValue = "READ_YOUR_WRITES") Consistency.Level defaultConsistency,
                        @Nullable Duration maxStaleness) {
}
