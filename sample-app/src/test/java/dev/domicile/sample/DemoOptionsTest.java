package dev.domicile.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.sample.load.LoadConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void noFlagsStartTheDemoWithoutLoadAndWaitForCtrlC() {
        assertThat(DemoOptions.parse(List.of()))
                .isEqualTo(new DemoOptions(false, false, false, LoadConfig.DEFAULT, false));
    }

    @Test
    void loadFlagsShapeTheLoadRun() {
        DemoOptions options = DemoOptions.parse(
                List.of("--load", "--users", "2", "--requests", "30", "--duration", "9", "--drill", "--exit"));
        assertThat(options.load()).isTrue();
        assertThat(options.drill()).isTrue();
        assertThat(options.exit()).isTrue();
        assertThat(options.loadConfig().usersPerRegion()).isEqualTo(2);
        assertThat(options.loadConfig().requestsPerUser()).isEqualTo(30);
        assertThat(options.loadConfig().maxDuration()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void badFlagsAreRefusedWithTheFlagAndTheUsage() {
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--lod")))
                .hasMessageContaining("unknown flag '--lod'").hasMessageContaining("usage:");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--users")))
                .hasMessageContaining("--users needs a number");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--users", "many")))
                .hasMessageContaining("not 'many'");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--users", "0")))
                .hasMessageContaining("usersPerRegion = 0: must be 1 to 1000");
        assertThatThrownBy(() -> DemoOptions.parse(List.of("--duration", "3600")))
                .hasMessageContaining("maxDuration = PT1H");
    }

    @Test
    void usersArePrefixedByTheirHomeRegion() {
        assertThat(Homes.prefix("eu-west")).isEqualTo("eu-");
        assertThat(Homes.prefix("ap-south")).isEqualTo("ap-");
        assertThat(Homes.user("us-east", "alice")).isEqualTo("us-alice");
    }
}
