package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} follows the local partition's primary: UP while it answers, DOWN once it is stopped. While a home
 * primary is down, a write to it that leaves the controller wrapped in an unchecked exception is still answered
 * {@code 503} with {@code Retry-After}.
 */
class HealthTest {

    private static final Argument<Map<String, Object>> JSON = Argument.mapOf(String.class, Object.class);

    @Test
    void healthTurnsDownWhenTheLocalPartitionsPrimaryStops() throws Exception {
        Topology topology = null;
        EmbeddedServer server = null;
        HttpClient client = null;
        try {
            topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(1).redis(false)
                    .start();
            server = TestApplication.start(TestApplication.properties(topology, "eu-west"));
            client = HttpClient.create(server.getURL());
            HttpClient http = client;
            assertThat(http.toBlocking().retrieve(HttpRequest.GET("/health"), JSON))
                    .containsEntry("status", "UP");

            topology.stop(topology.primary("us-east"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(http.toBlocking().retrieve(HttpRequest.GET("/health"), JSON).toString())
                            .contains("partition=us-east", "primaryUsable=false"));
            assertThat(http.toBlocking().retrieve(HttpRequest.GET("/health"), JSON))
                    .as("another site's primary does not make this site unhealthy").containsEntry("status", "UP");
            assertWrappedRefusalsAre503(http, userHomedAt(server, "us-east"));

            topology.stop(topology.primary("eu-west"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThatThrownBy(() -> http.toBlocking().exchange(HttpRequest.GET("/health"), JSON))
                            .isInstanceOfSatisfying(HttpClientResponseException.class, e -> {
                                assertThat(e.getStatus().getCode()).isEqualTo(503);
                                assertThat(e.getResponse().getBody(JSON).orElseThrow().toString())
                                        .contains("status=DOWN", "partition=eu-west", "primaryUsable=false");
                            }));
        } finally {
            TestApplication.closeAll(client, server, topology);
        }
    }

    /** The router's HomeUnavailableException, wrapped twice by the controller, is a 503; other failures a 500. */
    private static void assertWrappedRefusalsAre503(HttpClient http, String user) {
        assertThatThrownBy(() -> http.toBlocking().exchange(HttpRequest.POST("/wrapped/lost", "")
                .header(DomicileHeaders.USER, user), JSON))
                .isInstanceOfSatisfying(HttpClientResponseException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(503);
                    assertThat(e.getResponse().getHeaders().get("Retry-After")).isNotNull();
                    assertThat(Long.parseLong(e.getResponse().getHeaders().get("Retry-After"))).isPositive();
                    assertThat(e.getResponse().getBody(JSON).orElseThrow().toString()).contains("us-east");
                });
        assertThatThrownBy(() -> http.toBlocking().exchange(HttpRequest.POST("/wrapped/broken", "")
                .header(DomicileHeaders.USER, user), JSON))
                .isInstanceOfSatisfying(HttpClientResponseException.class,
                        e -> assertThat(e.getStatus().getCode()).as("not a refusal").isEqualTo(500));
    }

    private static String userHomedAt(EmbeddedServer server, String site) {
        return TestUsers.homedAt(server.getApplicationContext(), "health-", site);
    }
}
