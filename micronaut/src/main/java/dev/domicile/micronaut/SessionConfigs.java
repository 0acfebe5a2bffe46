package dev.domicile.micronaut;

import dev.domicile.session.RegionConfig;
import dev.domicile.session.SessionKeyRing;
import dev.domicile.session.SessionStoreConfig;
import java.nio.charset.StandardCharsets;

/**
 * Turns {@code domicile.session.*} and the sites' {@code redis-uri} into the {@link SessionStoreConfig} of the
 * regional session store: one region per site that declares a Redis, the local site's required. A broken rule is a
 * {@link DomicileConfigurationException} naming the key (never a secret's value).
 */
final class SessionConfigs {

    private SessionConfigs() {
    }

    static SessionStoreConfig of(SessionProperties properties, DomicileConfig config) {
        byte[] secret = properties.secret() == null ? new byte[0]
                : properties.secret().getBytes(StandardCharsets.UTF_8);
        if (secret.length < SessionKeyRing.MIN_SECRET_BYTES) {
            throw new DomicileConfigurationException("domicile.session.secret", "(hidden, " + secret.length
                    + " bytes)", "must be at least " + SessionKeyRing.MIN_SECRET_BYTES + " bytes (UTF-8), the same at "
                    + "every site");
        }
        String local = config.localSite().value();
        SessionStoreConfig.Builder builder = SessionStoreConfig.builder(local, SessionKeyRing.of(secret));
        for (DomicileConfig.Site site : config.sites()) {
            site.redisUri().ifPresent(uri -> builder.region(RegionConfig.single(site.id().value(), uri)
                    .connectTimeout(site.redis().connectTimeout()).commandTimeout(site.redis().commandTimeout())
                    .retryAttempts(site.redis().retryAttempts()).build()));
        }
        if (config.sites().stream().filter(s -> s.id().equals(config.localSite()))
                .anyMatch(s -> s.redisUri().isEmpty())) {
            throw new DomicileConfigurationException("domicile.sites." + local + ".redis-uri", null,
                    "required when domicile.session.secret is set: the local site's sessions live there");
        }
        try {
            return builder.idleTimeout(properties.idleTimeout()).absoluteTimeout(properties.absoluteTimeout())
                    .crossRegionPolicy(properties.crossRegionPolicy()).build();
        } catch (IllegalArgumentException e) {
            throw new DomicileConfigurationException("domicile.session", "(see rule)", e.getMessage());
        }
    }
}
