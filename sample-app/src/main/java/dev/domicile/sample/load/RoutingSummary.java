package dev.domicile.sample.load;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * What each region's router decided, from its {@code /domicile} endpoint: routing decisions by reason and by what
 * became of the caller's read-your-writes token (met by a replica, waited for, fell back to the primary).
 */
public final class RoutingSummary {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> REPORT = new TypeReference<>() { };

    private RoutingSummary() {
    }

    /**
     * One line per region; a region that cannot be asked gets a line saying why.
     *
     * @throws InterruptedException if interrupted while asking
     */
    public static String of(Map<String, URI> regions, Duration timeout) throws InterruptedException {
        StringBuilder text = new StringBuilder("routing decisions per region (from /domicile):")
                .append(System.lineSeparator());
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            for (var region : regions.entrySet()) {
                text.append(String.format("  %-9s ", region.getKey()));
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            region.getValue().resolve("/domicile")).timeout(timeout).build(),
                            HttpResponse.BodyHandlers.ofString());
                    Map<String, Object> report = JSON.readValue(response.body(), REPORT);
                    text.append("tokens ").append(report.get("tokenOutcomes")).append("  reasons ")
                            .append(report.get("decisions"));
                } catch (IOException e) {
                    text.append("unavailable: ").append(e.getMessage());
                }
                text.append(System.lineSeparator());
            }
        }
        return text.toString();
    }
}
