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
    void eachSitesRedisTimeoutsAndRetriesReachItsRegion() {
        Map<String, Object> properties = base("redis://eu-redis:6379");
        properties.put("domicile.sites.eu-west.redis-connect-timeout", "300ms");
        properties.put("domicile.sites.eu-west.redis-command-timeout", "250ms");
        properties.put("domicile.sites.eu-west.redis-retry-attempts", 0);
        DomicileConfig config;
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            config = context.getBean(DomicileConfig.class);
        }
        var built = SessionConfigs.of(properties(SECRET, Duration.ofMinutes(30)), config);
        var eu = built.regions().get("eu-west");
        assertThat(eu.connectTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(eu.commandTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(eu.retryAttempts()).isZero();
        var us = built.regions().get("us-east");
        assertThat(us.commandTimeout()).as("the default").isEqualTo(Duration.ofSeconds(1));
        assertThat(us.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(us.retryAttempts()).isEqualTo(1);
    }

    @Test
    void badRedisTimeoutsOrRetriesStopStartUpNamingTheKey() {
        assertStartFails("domicile.sites.eu-west.redis-command-timeout", "0s",
                "domicile.sites.eu-west.redis-command-timeout = 'PT0S': must be at least 1ms and at most "
                        + "2147483647ms (the Redis client counts int millis)");
        assertStartFails("domicile.sites.eu-west.redis-connect-timeout", "-1s",
                "domicile.sites.eu-west.redis-connect-timeout = 'PT-1S': must be at least 1ms and at most "
                        + "2147483647ms (the Redis client counts int millis)");
        assertStartFails("domicile.sites.eu-west.redis-retry-attempts", -1,
                "domicile.sites.eu-west.redis-retry-attempts = '-1': must be zero or more");
        Map<String, Object> noRedis = base(null);
        noRedis.put("domicile.sites.eu-west.redis-command-timeout", "2s");
        assertStartFails(noRedis, "domicile.sites.eu-west.redis-command-timeout = 'PT2S': applies only to a site "
                + "with a domicile.sites.eu-west.redis-uri, which is not set");
    }

    /** Start-up with {@code key} set to {@code value} fails with exactly {@code message}. */
    private static void assertStartFails(String key, Object value, String message) {
        Map<String, Object> properties = base("redis://eu-redis:6379");
        properties.put(key, value);
        assertStartFails(properties, message);
    }

    private static void assertStartFails(Map<String, Object> properties, String message) {
        assertThatThrownBy(() -> {
            try (ApplicationContext context = ApplicationContext.run(properties)) {
                context.getBean(DomicileConfig.class);
            }
        }).satisfies(e -> {
            Throwable cause = ConfigurationErrors.causeOf(e);
            assertThat(cause).isInstanceOf(DomicileConfigurationException.class).hasMessage(message);
        });
    }

    @Test
    void withoutASecretMicronautsInMemoryStoreStays() {
        try (ApplicationContext context = ApplicationContext.run(base("redis://eu-redis:6379"))) {
            assertThat(context.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class);
        }
    }
}
