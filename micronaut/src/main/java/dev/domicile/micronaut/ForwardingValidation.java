package dev.domicile.micronaut;

import dev.domicile.partition.Partition;
import dev.domicile.partition.SiteId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns {@code domicile.forwarding.*} (with {@code tls.*}: {@link ForwardingTls}) and {@code domicile.edge-only}
 * into a {@link ForwardingConfig}, refusing a broken rule with a {@link DomicileConfigurationException} naming the key, the value (never a secret's) and the rule.
 */
final class ForwardingValidation {

    private ForwardingValidation() {
    }

    /**
     * @param authority whether write authority is on ({@code domicile.zookeeper.connect-string} set): then a request
     *                  may also be sent to a partition's failover sites, which need a {@code base-url} too
     */
    static ForwardingConfig validate(ForwardingProperties properties, ForwardingTlsProperties tls, boolean edgeOnly,
                                     DomicileConfig config, boolean authority) {
        ForwardingPolicy policy = properties.policy();
        Optional<ForwardingSignature> signature = signature(properties.secret(), policy);
        if (properties.redirectStatus() != 307 && properties.redirectStatus() != 421) {
            throw new DomicileConfigurationException("domicile.forwarding.redirect-status",
                    properties.redirectStatus(), "must be 307 (Temporary Redirect) or 421 (Misdirected Request)");
        }
        if (properties.retryAfter().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new DomicileConfigurationException("domicile.forwarding.retry-after", properties.retryAfter(),
                    "must be at least 1s (Retry-After counts whole seconds)");
        }
        if (properties.timeout().isNegative() || properties.timeout().isZero()) {
            throw new DomicileConfigurationException("domicile.forwarding.timeout", properties.timeout(),
                    "must be positive");
        }
        if (edgeOnly) {
            checkEdgeOnly(policy, config);
        }
        Map<SiteId, URI> baseUrls = new LinkedHashMap<>();
        config.sites().forEach(site -> site.baseUrl().ifPresent(url -> baseUrls.put(site.id(), url)));
        if (policy == ForwardingPolicy.FORWARD || policy == ForwardingPolicy.REDIRECT) {
            checkHomesReachable(policy, config, baseUrls, authority);
        }
        return new ForwardingConfig(policy, edgeOnly, signature, properties.redirectStatus(),
                properties.retryAfter(), properties.timeout(), baseUrls,
                ForwardingTls.validate(tls, policy, baseUrls, config.localSite()));
    }

    private static Optional<ForwardingSignature> signature(String secret, ForwardingPolicy policy) {
        if (secret == null) {
            if (policy == ForwardingPolicy.FORWARD) {
                throw new DomicileConfigurationException("domicile.forwarding.secret", null,
                        "required when domicile.forwarding.policy is FORWARD: the same secret of at least "
                                + ForwardingSignature.MIN_SECRET_BYTES + " bytes at every site");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(new ForwardingSignature(secret));
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException("domicile.forwarding.secret",
                    "(hidden, " + secret.getBytes(StandardCharsets.UTF_8).length + " bytes)", e.getMessage());
        }
    }

    private static void checkEdgeOnly(ForwardingPolicy policy, DomicileConfig config) {
        if (policy != ForwardingPolicy.FORWARD && policy != ForwardingPolicy.REDIRECT) {
            throw new DomicileConfigurationException("domicile.forwarding.policy", policy,
                    "must be FORWARD or REDIRECT when domicile.edge-only is true (an edge site runs no user's requests)");
        }
        for (Partition partition : config.mapDefinition().partitions()) {
            if (partition.home().equals(config.localSite())) {
                throw new DomicileConfigurationException("domicile.partitions." + partition.id().value()
                        + ".home-site", partition.home().value(), "an edge-only site (domicile.edge-only: true, "
                        + "domicile.local-site " + config.localSite().value() + ") may be home to no partition");
            }
        }
    }

    private static void checkHomesReachable(ForwardingPolicy policy, DomicileConfig config,
                                            Map<SiteId, URI> baseUrls, boolean authority) {
        for (Partition partition : config.mapDefinition().partitions()) {
            List<SiteId> targets = new ArrayList<>();
            targets.add(partition.home());
            if (authority) {
                targets.addAll(partition.failover());
            }
            for (SiteId target : targets) {
                if (!target.equals(config.localSite())) {
                    checkReachable(policy, baseUrls, partition, target);
                }
            }
        }
    }

    private static void checkReachable(ForwardingPolicy policy, Map<SiteId, URI> baseUrls, Partition partition,
                                       SiteId site) {
        String key = "domicile.sites." + site.value() + ".base-url";
        URI url = baseUrls.get(site);
        if (url == null) {
            throw new DomicileConfigurationException(key, null, "required when domicile.forwarding.policy is "
                    + policy + ": site " + site.value() + (site.equals(partition.home()) ? " is home to"
                    : " may take over (failover, with domicile.zookeeper)") + " partition " + partition.id().value());
        }
        String path = url.getRawPath();
        if (policy == ForwardingPolicy.FORWARD && (url.getRawQuery() != null
                || (path != null && !path.isEmpty() && !path.equals("/")))) {
            throw new DomicileConfigurationException(key, url, "must have no path or query when "
                    + "domicile.forwarding.policy is FORWARD (the signed path is the one the home site receives)");
        }
    }
}
