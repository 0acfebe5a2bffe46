package dev.domicile.micronaut;

import dev.domicile.partition.SiteId;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated forwarding configuration of this process, made once at start-up by {@link ForwardingValidation}.
 *
 * @param policy         what happens to requests that must run at the user's home
 * @param edgeOnly       {@code domicile.edge-only}: every request with a user runs at the user's home
 * @param signature      the signer and verifier of forwarded requests, if {@code domicile.forwarding.secret} is set
 * @param redirectStatus 307 or 421
 * @param retryAfter     the {@code Retry-After} of a rejected request
 * @param timeout        the deadline given to a forwarded request
 * @param baseUrls       the {@code base-url} of every site that declares one
 * @param tls            mutual TLS of forwarded requests: the client's stores, and whether the receiver requires it
 */
record ForwardingConfig(ForwardingPolicy policy, boolean edgeOnly, Optional<ForwardingSignature> signature,
                        int redirectStatus, Duration retryAfter, Duration timeout, Map<SiteId, URI> baseUrls,
                        ForwardingTls tls) {

    ForwardingConfig {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(timeout, "timeout");
        baseUrls = Map.copyOf(baseUrls);
        Objects.requireNonNull(tls, "tls");
    }
}
