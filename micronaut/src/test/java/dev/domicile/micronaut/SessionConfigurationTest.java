package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.session.InMemorySessionStore;
import io.micronaut.session.SessionStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code domicile.session.*} is checked naming the key; without a secret Micronaut's own store stays in place. */
class SessionConfigurationTest {

    private static final String SECRET = "a-session-secret-of-at-least-32-bytes!!";

    /** Two sites, each with a Redis unless {@code localRedis} is null; no database is reached. */
    private static Map<String, Object> base(String localRedis) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("domicile.local-site", "eu-west");
        properties.put("domicile.sites.eu-west.base-url", "https://eu.example.com");
        if (localRedis != null) {
            properties.put("domicile.sites.eu-west.redis-uri", localRedis);
        }
        properties.put("domicile.sites.us-east.redis-uri", "redis://us-redis:6379");
        properties.put("domicile.partitions.eu.home-site", "eu-west");
        properties.put("domicile.partitions.eu.primary.jdbc-url", "jdbc:postgresql://127.0.0.1:9/app");
        properties.put("domicile.router.connection-timeout", "250ms");
        return properties;
    }

    private static DomicileConfig config(String localRedis) {
        try (ApplicationContext context = ApplicationContext.run(base(localRedis))) {
            return context.getBean(DomicileConfig.class);
        }
    }

    private static SessionProperties properties(String secret, Duration idle) {
        return new SessionProperties(secret, idle, Duration.ofHours(8), dev.domicile.session.CrossRegionPolicy.REMOTE);
    }

    @Test
    void everySiteWithARedisIsARegion() {
        var built = SessionConfigs.of(properties(SECRET, Duration.ofMinutes(30)), config("redis://eu-redis:6379"));
        assertThat(built.localSite()).isEqualTo("eu-west");
        assertThat(built.regions()).containsOnlyKeys("eu-west", "us-east");
        assertThat(built.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aShortSecretOrNoLocalRedisIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> SessionConfigs.of(properties("short", Duration.ofMinutes(30)),
                config("redis://eu-redis:6379"))).isInstanceOf(DomicileConfigurationException.class)
                .hasMessage("domicile.session.secret = '(hidden, 5 bytes)': must be at least 32 bytes (UTF-8), the "
                        + "same at every site");
        assertThatThrownBy(() -> SessionConfigs.of(properties(SECRET, Duration.ofMinutes(30)), config(null)))
                .isInstanceOf(DomicileConfigurationException.class)
                .hasMessage("domicile.sites.eu-west.redis-uri = (not set): required when domicile.session.secret is "
                        + "set: the local site's sessions live there");
        assertThatThrownBy(() -> SessionConfigs.of(properties(SECRET, Duration.ZERO), config("redis://eu-redis:6379")))
                .isInstanceOf(DomicileConfigurationException.class).hasMessageStartingWith("domicile.session = ")
                .hasMessageContaining("idle");
    }

    @Test
    void withoutASecretMicronautsInMemoryStoreStays() {
        try (ApplicationContext context = ApplicationContext.run(base("redis://eu-redis:6379"))) {
            assertThat(context.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class);
        }
    }
}
