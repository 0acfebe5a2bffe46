package dev.domicile.micronaut;

import dev.domicile.session.CrossRegionPolicy;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code domicile.session.*}: the regional session store behind Micronaut's {@code Session}, as written in the
 * configuration. Sessions are on when {@code secret} is set; checked by {@link SessionConfigs}.
 *
 * @param secret            {@code secret}: the HMAC-SHA256 key of session ids, the same at every site, at least 32
 *                          bytes (UTF-8)
 * @param idleTimeout       {@code idle-timeout}: a session unused this long is gone
 * @param absoluteTimeout   {@code absolute-timeout}: a session older than this is gone however active
 * @param crossRegionPolicy {@code cross-region-policy}: how a session homed at another site is read
 */
@ConfigurationProperties("domicile.session")
record SessionProperties(@Nullable String secret,
                         @Bindable(defaultValue = "30m") Duration idleTimeout,
                         @Bindable(defaultValue = "8h") Duration absoluteTimeout,
                         @Bindable(defaultValue = "REMOTE") CrossRegionPolicy crossRegionPolicy) {

    @Override
    public String toString() {
        return "SessionProperties[secret=" + (secret == null ? "(not set)" : "(hidden)") + ", idleTimeout="
                + idleTimeout + ", absoluteTimeout=" + absoluteTimeout + ", crossRegionPolicy=" + crossRegionPolicy
                + "]";
    }
}
