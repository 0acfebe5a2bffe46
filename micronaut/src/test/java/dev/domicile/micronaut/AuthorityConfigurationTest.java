package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code domicile.zookeeper.*} is checked before anything connects: a broken rule names the key, the value and the
 * rule; a valid block becomes the authority configuration (failover order: home, then {@code failover}).
 */
class AuthorityConfigurationTest {

    private static final String URL = "jdbc:postgresql://127.0.0.1:9/app";

    private static Map<String, Object> valid() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("domicile.local-site", "eu-west");
        properties.put("domicile.sites.eu-west.base-url", "https://eu.example.com");
        properties.put("domicile.sites.us-east.base-url", "https://us.example.com");
        properties.put("domicile.partitions.eu.home-site", "eu-west");
        properties.put("domicile.partitions.eu.failover", List.of("us-east"));
        properties.put("domicile.partitions.eu.primary.jdbc-url", URL);
        properties.put("domicile.partitions.us.home-site", "us-east");
        properties.put("domicile.partitions.us.primary.jdbc-url", URL);
        properties.put("domicile.zookeeper.connect-string", "127.0.0.1:9");
        return properties;
    }

    /** Starts a context (nothing listens on port 9: the data source and ZooKeeper stay unreachable). */
    private static AuthoritySettings settings(Map<String, Object> properties) {
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            return context.getBean(AuthoritySettings.class);
        }
    }

    private static void assertRejected(String key, Object value, String... fragments) {
        Map<String, Object> properties = valid();
        properties.put(key, value);
        assertStartFails(properties, key);
        assertStartFails(properties, fragments);
    }

    private static void assertStartFails(Map<String, Object> properties, String... fragments) {
        assertThatThrownBy(() -> settings(properties)).satisfies(e -> {
            Throwable cause = ConfigurationErrors.causeOf(e);
            assertThat(cause).isInstanceOf(DomicileConfigurationException.class);
            assertThat(cause.getMessage()).contains(fragments);
        });
    }

    @Test
    void theZooKeeperBlockBecomesTheAuthorityConfiguration() {
        Map<String, Object> properties = valid();
        properties.put("domicile.zookeeper.session-timeout", "5s");
        properties.put("domicile.zookeeper.connection-timeout", "2s");
        properties.put("domicile.zookeeper.root-path", "/app/authority");
        properties.put("domicile.zookeeper.safety-margin", "1500ms");
        properties.put("domicile.zookeeper.router-id", "eu-west-7");
        properties.put("domicile.zookeeper.auth", "domicile:secret");
        AuthoritySettings settings = settings(properties);
        AuthorityConfig config = settings.authority();
        assertThat(config.localSite()).isEqualTo(SiteId.of("eu-west"));
        assertThat(config.sites()).containsExactlyInAnyOrder(SiteId.of("eu-west"), SiteId.of("us-east"));
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.rootPath()).isEqualTo("/app/authority");
        assertThat(config.safetyMargin()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.routerId()).isEqualTo("eu-west-7");
        assertThat(config.failoverOrder().get(PartitionId.of("eu")))
                .containsExactly(SiteId.of("eu-west"), SiteId.of("us-east"));
        assertThat(config.failoverOrder().get(PartitionId.of("us"))).containsExactly(SiteId.of("us-east"));
        assertThat(settings.digest()).contains("domicile:secret");
        assertThat(settings.initialize()).isFalse();
        assertThat(settings.toString()).doesNotContain("secret");
    }

    @Test
    void theDefaultsAreTheAuthorityModules() {
        AuthorityConfig config = settings(valid()).authority();
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(config.rootPath()).isEqualTo(AuthorityConfig.DEFAULT_ROOT);
        assertThat(config.safetyMargin()).isEqualTo(AuthorityConfig.DEFAULT_SAFETY_MARGIN);
    }

    @Test
    void brokenKeysAreNamedWithTheirValueAndRule() {
        assertRejected("domicile.zookeeper.connect-string", " ", "host:port");
        assertRejected("domicile.zookeeper.auth", "no-colon", "user:password", "(hidden");
        assertRejected("domicile.zookeeper.session-timeout", "0s", "must be positive");
        assertRejected("domicile.zookeeper.connection-timeout", "10s", "'PT10S'", "shorter than sessionTimeout");
        assertRejected("domicile.zookeeper.root-path", "no-slash", "'no-slash'", "absolute znode path");
        assertRejected("domicile.zookeeper.router-id", "has space", "'has space'");
        assertRejected("domicile.zookeeper.safety-margin", "-1s", "zero or positive");
    }

    @Test
    void initializingNeedsZooKeeperAtStartUp() {
        Map<String, Object> properties = valid();
        properties.put("domicile.zookeeper.initialize", true);
        properties.put("domicile.zookeeper.connection-timeout", "500ms");
        assertStartFails(properties, "domicile.zookeeper.initialize = 'true'", "must be reachable");
    }
}
