package dev.domicile.sample.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControlServerTest {

    @Test
    void servesItsResourcesAsJsonToAnyOriginAndRefusesWhatItDoesNotKnow() throws Exception {
        AtomicInteger started = new AtomicInteger();
        try (ControlServer control = ControlServer.start();
             HttpClient http = HttpClient.newHttpClient()) {
            control.get("/edge", () -> Map.of("region", "eu-west"));
            control.post("/drill", () -> {
                if (started.incrementAndGet() > 1) {
                    throw new IllegalStateException("the drill has already run");
                }
                return Map.of("status", "running");
            });
            assertThat(control.url().getHost()).isEqualTo("127.0.0.1");

            HttpResponse<String> edge = send(http, HttpRequest.newBuilder(control.url().resolve("/edge")).GET());
            assertThat(edge.statusCode()).isEqualTo(200);
            assertThat(edge.body()).isEqualTo("{\"region\":\"eu-west\"}");
            assertThat(edge.headers().firstValue("Access-Control-Allow-Origin")).contains("*");

            HttpRequest.Builder post = HttpRequest.newBuilder(control.url().resolve("/drill"))
                    .POST(HttpRequest.BodyPublishers.noBody());
            assertThat(send(http, post).statusCode()).isEqualTo(202);
            HttpResponse<String> again = send(http, post);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(again.body()).contains("the drill has already run");

            assertThat(send(http, HttpRequest.newBuilder(control.url().resolve("/drill")).GET()).statusCode())
                    .isEqualTo(404);
        }
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
