package dev.domicile.sample.edge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** One region's health as the edge sees it, and the clients sent there. Synchronized; checked by one thread. */
final class HealthProbe {

    private final String region;
    private final URI health;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private String status = "UNKNOWN";
    private Instant since;
    private String detail = "not checked yet";
    private long clients;

    HealthProbe(String region, URI url, HttpClient http, Duration timeout, Clock clock) {
        this.region = region;
        this.health = url.resolve("/health");
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
        this.since = clock.instant();
    }

    String region() {
        return region;
    }

    /** Asks the region's {@code /health} once and records the outcome. */
    void check() {
        String outcome;
        String why;
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            outcome = response.statusCode() == 200 ? "UP" : "DOWN";
            why = "HTTP " + response.statusCode();
        } catch (IOException e) {
            outcome = "UNREACHABLE";
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        record(outcome, why);
    }

    private synchronized void record(String outcome, String why) {
        if (!outcome.equals(status)) {
            status = outcome;
            since = clock.instant();
        }
        detail = why;
    }

    /** Counts a new client and says yes if the region is healthy; says no otherwise. */
    synchronized boolean admitClient() {
        if (!"UP".equals(status)) {
            return false;
        }
        clients++;
        return true;
    }

    synchronized RegionHealth view() {
        return new RegionHealth(region, status, "UP".equals(status), since, detail, clients);
    }
}
