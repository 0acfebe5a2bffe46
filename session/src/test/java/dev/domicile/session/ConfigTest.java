package dev.domicile.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    private final SessionStoreConfig.Builder valid = SessionStoreConfig.builder("eu-west",
                    SessionKeyRing.of(Fixtures.SECRET))
            .region(RegionConfig.single("eu-west", "redis://127.0.0.1:6379").build());

    @Test
    void defaultsAreSafe() {
        SessionStoreConfig config = valid.build();
        assertThat(config.crossRegionPolicy()).isEqualTo(CrossRegionPolicy.REMOTE);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.absoluteTimeout()).isEqualTo(Duration.ofHours(8));
        assertThat(config.attributeLimits()).isEqualTo(AttributeLimits.DEFAULT);
    }

    @Test
    void errorsNameTheKeyTheValueAndTheRule() {
        assertThatThrownBy(() -> valid.idleTimeout(Duration.ZERO).build())
                .hasMessage("domicile.session.idle-timeout = PT0S: must be a positive duration");
        assertThatThrownBy(() -> valid.idleTimeout(Duration.ofHours(9)).build())
                .hasMessage("domicile.session.idle-timeout = PT9H: must not exceed absolute-timeout (PT8H)");
        assertThatThrownBy(() -> SessionStoreConfig.builder("us-east", SessionKeyRing.of(Fixtures.SECRET))
                .region(RegionConfig.single("eu-west", "redis://h:1").build()).build())
                .hasMessage("domicile.session.local-site = us-east: must be one of the configured regions [eu-west]");
        assertThatThrownBy(() -> RegionConfig.single("eu-west", "http://h:1").build())
                .hasMessage("domicile.session.regions.eu-west.addresses = http://h:1: must start with redis:// or"
                        + " rediss:// (TLS)");
        assertThatThrownBy(() -> RegionConfig.sentinel("eu-west", "", List.of("redis://h:1")).build())
                .hasMessageContaining("master-name");
        assertThatThrownBy(() -> new AttributeLimits(0, 1, 1, 1))
                .hasMessage("domicile.session.attributes.max-attributes = 0: must be positive");
    }

    @Test
    void aTrustStoreIsOnlyForTlsAndMustExist(@TempDir Path directory) throws IOException {
        Path store = Files.writeString(directory.resolve("trust.p12"), "not read before connecting");
        RegionConfig tls = RegionConfig.single("eu-west", "rediss://h:6380").trustStore(store, "changeit").build();
        assertThat(tls.trustStore()).isEqualTo(store);
        assertThat(tls.toString()).doesNotContain("changeit").contains(store.toString());
        assertThatThrownBy(() -> RegionConfig.single("eu-west", "redis://h:6379").trustStore(store, "changeit").build())
                .hasMessage("domicile.session.regions.eu-west.trust-store = " + store + ": only for rediss:// (TLS)"
                        + " addresses, but redis://h:6379 is plain");
        assertThatThrownBy(() -> RegionConfig.sentinel("eu-west", "m", List.of("rediss://h:1", "redis://h:2"))
                .trustStore(store, null).build())
                .hasMessageContaining("trust-store").hasMessageContaining("redis://h:2 is plain");
        Path missing = directory.resolve("missing.p12");
        assertThatThrownBy(() -> RegionConfig.single("eu-west", "rediss://h:6380").trustStore(missing, "x").build())
                .hasMessage("domicile.session.regions.eu-west.trust-store = " + missing + ": must be a readable file");
        assertThatThrownBy(() -> RegionConfig.single("eu-west", "rediss://h:6380").trustStore(null, "x").build())
                .hasMessage("domicile.session.regions.eu-west.trust-store-password = ***: only with a trust-store");
    }

    @Test
    void passwordsAreNotPrinted() {
        RegionConfig region = RegionConfig.single("eu-west", "rediss://h:6380").password("hunter2").build();
        assertThat(region.toString()).doesNotContain("hunter2").contains("rediss://h:6380");
    }

    @Test
    void causalTokensAreValidatedAndImmutable() {
        CausalTokens tokens = CausalTokens.empty().with("eu-west", "0/16B3748");
        assertThat(tokens.position("eu-west")).contains("0/16B3748");
        assertThat(tokens.with("us-east", "1/0").positions()).hasSize(2);
        assertThat(tokens.positions()).hasSize(1);
        assertThatThrownBy(() -> tokens.with("eu-west", " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.with("eu-west", "x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
    }
}
