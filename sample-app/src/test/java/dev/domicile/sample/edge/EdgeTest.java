package dev.domicile.sample.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edge against three real HTTP servers on 127.0.0.1 whose {@code /health} answers what the test sets (200 or
 * 503), or which are stopped.
 */
class EdgeTest {

    private final List<HttpServer> servers = new ArrayList<>();
    private final Map<String, AtomicInteger> statuses = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void aRegionFailingItsHealthCheckGetsNoNewClientsUntilItRecovers() throws IOException {
        Map<String, URI> regions = regions("eu-west", "us-east", "ap-south");
        try (Edge edge = Edge.start(regions, Duration.ofMillis(20), Duration.ofSeconds(2), Clock.systemUTC())) {
            assertThat(edge.route("eu-west")).contains("eu-west");
            assertThat(edge.route("us-east")).contains("us-east");

            statuses.get("us-east").set(503);
            await().atMost(Duration.ofSeconds(10)).until(() -> !health(edge, "us-east").healthy());
            long before = health(edge, "us-east").clients();
            for (int i = 0; i < 20; i++) {
                assertThat(edge.route("us-east")).as("the next nearest healthy region").contains("ap-south");
            }
            assertThat(health(edge, "us-east").clients()).isEqualTo(before);
            assertThat(health(edge, "us-east").status()).isEqualTo("DOWN");
            assertThat(health(edge, "us-east").detail()).isEqualTo("HTTP 503");

            statuses.get("us-east").set(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> health(edge, "us-east").healthy());
            assertThat(edge.route("us-east")).contains("us-east");
            assertThat(health(edge, "us-east").clients()).isEqualTo(before + 1);
        }
    }

    @Test
    void anUnreachableRegionIsSteeredAroundAndNoHealthyRegionMeansNoRoute() throws IOException {
        Map<String, URI> regions = regions("eu-west", "us-east");
        try (Edge edge = Edge.start(regions, Duration.ofMillis(20), Duration.ofSeconds(1), Clock.systemUTC())) {
            servers.getFirst().stop(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> health(edge, "eu-west").status().equals("UNREACHABLE"));
            assertThat(edge.route("eu-west")).contains("us-east");

            statuses.get("us-east").set(503);
            await().atMost(Duration.ofSeconds(10)).until(() -> !health(edge, "us-east").healthy());
            assertThat(edge.route("eu-west")).isEmpty();
            assertThat(edge.health()).as("the one client sent to us-east while eu-west was unreachable")
                    .extracting(RegionHealth::clients).containsExactly(0L, 1L);
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        Map<String, URI> one = Map.of("eu-west", URI.create("http://127.0.0.1:1"));
        assertThatThrownBy(() -> Edge.start(Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Clock.systemUTC())).hasMessageContaining("edge regions");
        assertThatThrownBy(() -> Edge.start(one, Duration.ofMillis(1), Duration.ofSeconds(1), Clock.systemUTC()))
                .hasMessageContaining("edge pollInterval = PT0.001S: must be at least 10ms");
        assertThatThrownBy(() -> Edge.start(one, Duration.ofSeconds(1), Duration.ZERO, Clock.systemUTC()))
                .hasMessageContaining("edge timeout = PT0S: must be positive");
    }

    private static RegionHealth health(Edge edge, String region) {
        return edge.health().stream().filter(h -> h.region().equals(region)).findFirst().orElseThrow();
    }

    /** One health server per region, each answering 200 until told otherwise. */
    private Map<String, URI> regions(String... names) throws IOException {
        Map<String, URI> urls = new LinkedHashMap<>();
        for (String name : names) {
            AtomicInteger status = new AtomicInteger(200);
            statuses.put(name, status);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            server.createContext("/health", exchange -> {
                try (exchange) {
                    exchange.sendResponseHeaders(status.get(), -1);
                }
            });
            server.start();
            servers.add(server);
            urls.put(name, URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        }
        return urls;
    }
}
