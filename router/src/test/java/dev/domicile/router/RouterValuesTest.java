package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tokens, consistency levels and configuration: values validated when made. */
class RouterValuesTest {

    private static final PartitionId EU = PartitionId.of("eu-west");
    private static final PartitionId US = PartitionId.of("us-east");

    @Test
    void tokensOnlyMoveForwardAndSurviveTheirTextForm() {
        CausalTokens tokens = CausalTokens.NONE.advance(EU, 0x16_B374D848L).advance(US, 5);
        assertThat(tokens.advance(EU, 1)).isSameAs(tokens);
        assertThat(tokens.positionOf(EU)).isEqualTo(0x16_B374D848L);
        assertThat(tokens.positionOf(PartitionId.of("ap-south"))).isZero();
        assertThat(tokens.encode()).isEqualTo("eu-west=16/B374D848;us-east=0/5");
        assertThat(CausalTokens.parse(tokens.encode())).isEqualTo(tokens);
        assertThat(CausalTokens.parse("")).isSameAs(CausalTokens.NONE);
        assertThat(tokens.merge(CausalTokens.NONE.advance(US, 9)).positionOf(US)).isEqualTo(9);
        // Unsigned order: the top half of the LSN space is later, not negative.
        assertThat(CausalTokens.NONE.advance(EU, -1L).advance(EU, 5).positionOf(EU)).isEqualTo(-1L);
    }

    @Test
    void malformedTokensAreRejectedWithTheBadPart() {
        assertThatThrownBy(() -> CausalTokens.parse("eu-west")).hasMessageContaining("'eu-west'");
        assertThatThrownBy(() -> CausalTokens.parse("eu-west=12")).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> CausalTokens.parse("eu-west=-1/0")).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> CausalTokens.parse("eu-west=1/123456789")).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> CausalTokens.parse("x".repeat(CausalTokens.MAX_ENCODED_LENGTH + 1)))
                .hasMessageContaining("longer than");
    }

    @Test
    void consistencyLevelsValidateTheirBound() {
        assertThat(Consistency.boundedStaleness(Duration.ofSeconds(2))).hasToString("BOUNDED_STALENESS(PT2S)");
        assertThatThrownBy(() -> Consistency.boundedStaleness(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new Consistency(Consistency.Level.STRONG, Duration.ofSeconds(1)))
                .hasMessageContaining("only BOUNDED_STALENESS");
    }

    private static EndpointConfig endpoint(String name, String partition, Role role) {
        return new EndpointConfig(name, PartitionId.of(partition), SiteId.of("eu-west"), role,
                "jdbc:postgresql://127.0.0.1:5432/postgres", null, null);
    }

    @Test
    void configurationNamesTheKeyTheValueAndTheRule() {
        RouterConfig.Builder base = RouterConfig.builder().localSite(SiteId.of("eu-west"))
                .endpoint(endpoint("p1", "eu-west", Role.PRIMARY));
        assertThat(base.build().readYourWritesWait()).isEqualTo(Duration.ofMillis(50));

        assertThatThrownBy(() -> RouterConfig.builder().endpoint(endpoint("p1", "eu-west", Role.PRIMARY)).build())
                .hasMessageContaining("localSite is required");
        assertThatThrownBy(() -> RouterConfig.builder().localSite(SiteId.of("eu-west")).build())
                .hasMessageContaining("at least one endpoint");
        assertThatThrownBy(() -> RouterConfig.builder().localSite(SiteId.of("eu-west"))
                .endpoint(endpoint("r1", "eu-west", Role.REPLICA)).build())
                .hasMessageContaining("partitions without a primary: [eu-west]");
        assertThatThrownBy(() -> RouterConfig.builder().localSite(SiteId.of("eu-west"))
                .endpoint(endpoint("p1", "eu-west", Role.PRIMARY)).endpoint(endpoint("p2", "eu-west", Role.PRIMARY))
                .build()).hasMessageContaining("more than one primary");
        assertThatThrownBy(() -> RouterConfig.builder().localSite(SiteId.of("eu-west"))
                .endpoint(endpoint("p1", "eu-west", Role.PRIMARY)).endpoint(endpoint("p1", "us-east", Role.PRIMARY))
                .build()).hasMessageContaining("duplicate endpoint name 'p1'");
        assertThatThrownBy(() -> base.probeInterval(Duration.ZERO).build())
                .hasMessageContaining("probeInterval must be positive, was PT0S");
        assertThatThrownBy(() -> base.probeInterval(Duration.ofMillis(200)).readYourWritesWait(Duration.ofMillis(-1))
                .build()).hasMessageContaining("readYourWritesWait must be zero or positive");
        assertThatThrownBy(() -> base.readYourWritesWait(Duration.ZERO).maxPoolSize(0).build())
                .hasMessageContaining("maxPoolSize must be >= 1, was 0");
        assertThatThrownBy(() -> base.maxPoolSize(4).defaultPartition(PartitionId.of("mars")).build())
                .hasMessageContaining("defaultPartition mars has no endpoints");
        assertThatThrownBy(() -> new EndpointConfig("x", EU, SiteId.of("eu-west"), Role.PRIMARY, "jdbc:mysql://h/db",
                null, null)).hasMessageContaining("jdbcUrl must start with jdbc:postgresql:");
        assertThatThrownBy(() -> new EndpointConfig("bad name", EU, SiteId.of("eu-west"), Role.PRIMARY,
                "jdbc:postgresql://h/db", null, null)).hasMessageContaining("endpoint name 'bad name' is invalid");
    }
}
