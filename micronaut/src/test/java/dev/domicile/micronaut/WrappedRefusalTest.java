package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link WrappedRefusalHandler} on a server that needs no database (an edge-only site without any): a refusal wrapped
 * in an unchecked exception is a 503 with {@code Retry-After}, any other unchecked exception Micronaut's 500, and an
 * application's own {@code ExceptionHandler<RuntimeException, ?>} replaces the module's. The router's refusals wrapped
 * the same way are covered on real databases by {@code HealthTest} (home primary down) and {@code AuthorityTest}
 * (write admission).
 */
class WrappedRefusalTest {

    private static Map<String, Object> edge() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("domicile.local-site", "edge");
        properties.put("domicile.edge-only", true);
        properties.put("domicile.sites.edge.base-url", "https://edge.example.com");
        properties.put("domicile.sites.eu-west.base-url", "https://eu.example.com");
        properties.put("domicile.partitions.eu.home-site", "eu-west");
        properties.put("domicile.forwarding.policy", "FORWARD");
        properties.put("domicile.forwarding.secret", ForwardingTest.SECRET);
        properties.put("domicile.forwarding.retry-after", "7s");
        properties.put("domicile.filter.missing-user", "PASS_THROUGH");
        return properties;
    }

    @Test
    void aWrappedRefusalIs503AndAnyOtherUncheckedException500() throws Exception {
        try (EmbeddedServer server = TestApplication.start(edge());
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> refused = post(http, server, "/wrapped/anonymous");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("7");
            assertThat(refused.body()).contains("is edge-only");
            HttpResponse<String> broken = post(http, server, "/wrapped/broken");
            assertThat(broken.statusCode()).as(broken.body()).isEqualTo(500);
            assertThat(broken.body()).contains("data access failed");
        }
    }

    @Test
    void anApplicationsOwnHandlerOfUncheckedExceptionsReplacesTheModules() throws Exception {
        Map<String, Object> properties = edge();
        properties.put("test.application-runtime-handler", true);
        try (EmbeddedServer server = TestApplication.start(properties);
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = post(http, server, "/wrapped/anonymous");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(418);
            assertThat(response.body()).contains("application");
        }
    }

    private static HttpResponse<String> post(HttpClient http, EmbeddedServer server, String target)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.getURI().resolve(target)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
