package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.FilePartitionMapStore;
import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.PartitionMapStore;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misconfiguration stops start-up with a message naming the key, the value and the rule. No database is reached:
 * every check runs before the data source connects.
 */
class ConfigurationTest {

    private static final String URL = "jdbc:postgresql://127.0.0.1:9/app";

    /** A valid two-site configuration. */
    private static Map<String, Object> valid() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("domicile.local-site", "eu-west");
        properties.put("domicile.sites.eu-west.base-url", "https://eu.example.com");
        properties.put("domicile.sites.us-east.base-url", "https://us.example.com");
        properties.put("domicile.partitions.eu.home-site", "eu-west");
        properties.put("domicile.partitions.eu.failover", List.of("us-east"));
        properties.put("domicile.partitions.eu.primary.jdbc-url", URL);
        properties.put("domicile.partitions.eu.replicas[0].site", "us-east");
        properties.put("domicile.partitions.eu.replicas[0].jdbc-url", URL);
        properties.put("domicile.partitions.us.home-site", "us-east");
        properties.put("domicile.partitions.us.primary.jdbc-url", URL);
        return properties;
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> properties = valid();
        if (value == null) {
            properties.remove(key);
        } else {
            properties.put(key, value);
        }
        return properties;
    }

    private static void assertStartFails(Map<String, Object> properties, String... fragments) {
        assertThatThrownBy(() -> {
            try (ApplicationContext context = ApplicationContext.run(properties)) {
                context.getBean(DomicileConfig.class);
            }
        }).satisfies(e -> {
            Throwable cause = ConfigurationErrors.causeOf(e);
            assertThat(cause).isInstanceOf(DomicileConfigurationException.class);
            assertThat(cause.getMessage()).contains(fragments);
        });
    }

    @Test
    void aLocalSiteThatIsNotDeclaredStopsStartUp() {
        assertStartFails(with("domicile.local-site", "ap-south"),
                "domicile.local-site = 'ap-south'", "must be one of the declared sites", "eu-west", "us-east");
    }

    @Test
    void aMissingLocalSiteStopsStartUp() {
        assertStartFails(with("domicile.local-site", null), "domicile.local-site = (not set): required");
    }

    @Test
    void aHomeSiteThatIsNotDeclaredStopsStartUp() {
        assertStartFails(with("domicile.partitions.us.home-site", "us-west"),
                "domicile.partitions.us.home-site = 'us-west'", "not a declared site");
    }

    @Test
    void aFailoverToTheHomeSiteStopsStartUp() {
        assertStartFails(with("domicile.partitions.eu.failover", List.of("eu-west")),
                "domicile.partitions.eu = 'eu'", "among its failover sites");
    }

    @Test
    void aPartitionWithoutPrimaryStopsStartUp() {
        assertStartFails(with("domicile.partitions.us.primary.jdbc-url", null),
                "domicile.partitions.us.primary.jdbc-url = (not set)", "jdbc:postgresql: URL is required");
    }

    @Test
    void aMisspelledDatabaseKeyStopsStartUp() {
        assertStartFails(with("domicile.partitions.us.primary.user", "app"),
                "domicile.partitions.us.primary.user = 'app'", "unknown key");
    }

    @Test
    void aReplicaInAnUndeclaredSiteStopsStartUp() {
        assertStartFails(with("domicile.partitions.eu.replicas[0].site", "mars"),
                "domicile.partitions.eu.replicas[0].site = 'mars'", "not a declared site");
    }

    @Test
    void aBaseUrlThatIsNotHttpStopsStartUp() {
        assertStartFails(with("domicile.sites.us-east.base-url", "us.example.com"),
                "domicile.sites.us-east.base-url = 'us.example.com'", "absolute http:// or https:// URL");
    }

    @Test
    void boundedStalenessWithoutABoundStopsStartUp() {
        assertStartFails(with("domicile.router.default-consistency", "BOUNDED_STALENESS"),
                "domicile.router.max-staleness = (not set)", "BOUNDED_STALENESS");
    }

    @Test
    void anUnknownDefaultPartitionStopsStartUp() {
        assertStartFails(with("domicile.router.default-partition", "ap"),
                "domicile.router.default-partition = 'ap'", "not a declared partition");
    }

    @Test
    void aMapFileIsCreatedFromTheConfigurationWhenMissing(@TempDir Path directory) {
        Path file = directory.resolve("partition-map.json");
        Map<String, Object> properties = valid();
        properties.put("domicile.map.file", file.toString());
        properties.put("domicile.router.probe-timeout", "250ms");
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            assertThat(context.getBean(PartitionMapStore.class)).isInstanceOf(FilePartitionMapStore.class);
            assertThat(file).exists();
        }
        try (FilePartitionMapStore store = FilePartitionMapStore.open(file)) {
            assertThat(store.current().partitions()).extracting(p -> p.id().value()).containsExactly("eu", "us");
        }
    }

    @Test
    void aMapFileWithAPartitionThatHasNoPrimaryStopsStartUp(@TempDir Path directory) {
        Path file = directory.resolve("partition-map.json");
        FilePartitionMapStore.create(file, PartitionMapDefinition.builder().sites("eu-west", "us-east")
                .partition(Partition.of("eu", "eu-west")).partition(Partition.of("ap", "us-east")).build()).close();
        assertStartFails(with("domicile.map.file", file.toString()), "domicile.map.file = '" + file + "'",
                "the map's partition ap has no domicile.partitions.ap.primary.jdbc-url");
    }

    @Test
    void aValidConfigurationBindsEveryValue() {
        Map<String, Object> properties = valid();
        properties.put("domicile.router.default-consistency", "BOUNDED_STALENESS");
        properties.put("domicile.router.max-staleness", "3s");
        properties.put("domicile.router.probe-timeout", "250ms");
        DomicileConfig config = ConfigValidation.validate(new DomicileProperties("eu-west", false),
                List.of(new SiteProperties("us-east", "https://us.example.com", "redis://us:6379", null, null, null),
                        new SiteProperties("eu-west", null, null, null, null, null)),
                List.of(new PartitionProperties("eu", "eu-west", List.of("us-east"), 2,
                        Map.of("jdbc-url", URL, "username", "app", "password", "secret"),
                        List.of(Map.of("site", "us-east", "jdbc-url", URL + "?r=1")))),
                new RouterProperties(java.time.Duration.ofMillis(10), false, java.time.Duration.ofMillis(100),
                        java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2), 3,
                        java.time.Duration.ofSeconds(1), "eu", dev.domicile.router.Consistency.Level.ANY, null),
                new MapProperties(null));
        assertThat(config.localSite().value()).isEqualTo("eu-west");
        assertThat(config.sites()).extracting(s -> s.id().value()).containsExactly("eu-west", "us-east");
        assertThat(config.sites().get(1).redisUri()).contains("redis://us:6379");
        assertThat(config.mapDefinition().partitions()).singleElement().satisfies(p -> {
            assertThat(p.weight()).isEqualTo(2);
            assertThat(p.failover()).extracting(s -> s.value()).containsExactly("us-east");
        });
        assertThat(config.router().orElseThrow().endpoints()).extracting(e -> e.name() + " " + e.site() + " " + e.username())
                .containsExactly("eu-primary eu-west app", "eu-replica-us-east-0 us-east app");
        assertThat(config.router().orElseThrow().endpoints().get(1).password()).isEqualTo("secret");
        assertThat(config.router().orElseThrow().maxPoolSize()).isEqualTo(3);
        assertThat(config.router().orElseThrow().defaultPartition()).map(p -> p.value()).contains("eu");
        assertThat(config.defaultConsistency()).isEqualTo(dev.domicile.router.Consistency.ANY);
    }
}
