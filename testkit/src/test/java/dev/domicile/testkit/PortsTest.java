package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** On Linux, server ports come from below the ephemeral range, where client connections never land. */
    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreNeverHandedOutTwice() throws Exception {
        assumeTrue(Files.isReadable(RANGE), "no " + RANGE + " (not Linux)");
        List<String> lines = Files.readAllLines(RANGE);
        int ephemeralLow = Integer.parseInt(lines.get(0).trim().split("\\s+")[0]);
        assumeTrue(ephemeralLow - 20_000 >= 1_000, "the ephemeral range starts at " + ephemeralLow);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int port = Ports.free();
            assertThat(port).isBetween(20_000, ephemeralLow - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }
}
