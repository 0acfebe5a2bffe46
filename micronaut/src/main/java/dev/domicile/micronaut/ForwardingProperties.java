package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code domicile.forwarding.*}: what happens to requests that must run at the user's home site, as written in the
 * configuration; checked into a {@link ForwardingConfig}.
 *
 * @param policy         {@code policy}: FORWARD, REDIRECT, REJECT or LOCAL
 * @param secret         {@code secret}: the deployment-wide HMAC key of forwarded requests, at least 32 bytes (UTF-8);
 *                       required with FORWARD, and needed by every site that accepts forwarded requests
 * @param redirectStatus {@code redirect-status}: 307 or 421, the status of a REDIRECT
 * @param retryAfter     {@code retry-after}: the {@code Retry-After} of a REJECT, whole seconds
 * @param timeout        {@code timeout}: the deadline a forwarded request is given, and the forwarding client's read
 *                       timeout
 */
@ConfigurationProperties("domicile.forwarding")
record ForwardingProperties(@Bindable(defaultValue = "LOCAL") ForwardingPolicy policy,
                            @Nullable String secret,
                            @Bindable(defaultValue = "307") int redirectStatus,
                            @Bindable(defaultValue = "5s") Duration retryAfter,
                            @Bindable(defaultValue = "10s") Duration timeout) {

    @Override
    public String toString() {
        return "ForwardingProperties[policy=" + policy + ", secret=" + (secret == null ? "(not set)" : "(hidden)")
                + ", redirectStatus=" + redirectStatus + ", retryAfter=" + retryAfter + ", timeout=" + timeout + "]";
    }
}
