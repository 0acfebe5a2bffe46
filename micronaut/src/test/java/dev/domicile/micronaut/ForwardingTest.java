package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.router.RoutingDataSource;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Forwarding between two real Micronaut servers on a real two-site topology: {@code home} serves eu-west,
 * {@code visited} serves us-east, both with the FORWARD policy. A write for an eu-west user sent to us-east is
 * forwarded and runs on the eu-west primary; forged, tampered, looping or late forwarded requests are refused before
 * any controller runs, and so is a replay of an admitted one; the REDIRECT and REJECT policies answer instead; an
 * edge-only site forwards every request, also when it declares no database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardingTest {

    static final String SECRET = "a-deployment-secret-of-at-least-32-bytes!";

    private Topology topology;
    private EmbeddedServer home;
    private EmbeddedServer visited;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0).redis(false).start();
        TestApplication.createSchema(topology);
        home = TestApplication.start(forwarding("eu-west", "FORWARD"));
        visited = TestApplication.start(forwarding("us-east", "FORWARD"));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    void stop() throws Exception {
        TestApplication.closeAll(http, visited, home, topology);
    }

    /** A service in {@code site} with {@code policy}; eu-west's base URL is the home server's once it runs. */
    private Map<String, Object> forwarding(String site, String policy) {
        Map<String, Object> properties = new HashMap<>(TestApplication.properties(topology, site));
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("domicile.forwarding.policy", policy);
        properties.put("domicile.forwarding.secret", SECRET);
        if (home != null) {
            properties.put("domicile.sites.eu-west.base-url", home.getURL().toString());
        }
        return properties;
    }

    @Test
    void aWriteForAUserHomedElsewhereIsForwardedAndRunsOnTheHomePrimary() throws Exception {
        String user = userHomedAt("eu-west");
        HttpResponse<String> response = send(visited, "POST", "/notes/forwarded?x=1", Map.of(DomicileHeaders.USER,
                user));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"port\":" + topology.primary(topology.homePartition("eu-west")).port());
        assertThat(response.headers().firstValue(DomicileHeaders.SITE)).contains("eu-west");
        assertThat(response.headers().firstValue(DomicileHeaders.HOME)).contains("eu-west");
        assertThat(response.headers().firstValue(DomicileHeaders.TOKENS).orElseThrow())
                .startsWith(topology.homePartition("eu-west") + "=");
        assertThat(notesOf(user)).isEqualTo(1);
    }

    @Test
    void clientSuppliedControlHeadersAreNotForwarded() throws Exception {
        String user = userHomedAt("eu-west");
        HttpResponse<String> response = send(visited, "POST", "/echo", Map.of(DomicileHeaders.USER, user,
                DomicileHeaders.SITE, "spoofed", DomicileHeaders.HOME, "spoofed", "X-Domicile-Debug", "1"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(DomicileHeaders.SITE)).contains("eu-west");
        assertThat(response.body()).isEqualTo("[\"x-domicile-forwarded\",\"x-domicile-user\"]");
    }

    @Test
    void readsAndTheWritesOfLocalUsersAreServedHere() throws Exception {
        HttpResponse<String> read = send(visited, "GET", "/notes/blocking",
                Map.of(DomicileHeaders.USER, userHomedAt("eu-west")));
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue(DomicileHeaders.SITE)).contains("us-east");
        assertThat(read.headers().firstValue(DomicileHeaders.HOME)).contains("eu-west");
        HttpResponse<String> write = send(visited, "POST", "/notes/local",
                Map.of(DomicileHeaders.USER, userHomedAt("us-east")));
        assertThat(write.statusCode()).isEqualTo(200);
        assertThat(write.headers().firstValue(DomicileHeaders.SITE)).contains("us-east");
    }

    @Test
    void forgedTamperedLoopingOrLateForwardedRequestsNeverReachTheController() throws Exception {
        String user = userHomedAt("eu-west");
        ForwardingSignature signature = new ForwardingSignature(SECRET);
        long deadline = System.currentTimeMillis() + 60_000;
        String path = "/notes/sneaky";
        assertRefused(user, path, "not-a-header", 403);
        assertRefused(user, path, new ForwardingSignature("another-secret-that-is-32-bytes-long!!")
                .sign("POST", path, user, "eu-west", 0, deadline, 1).encode(), 403);
        assertRefused(user, path, signature.sign("POST", "/notes/other", user, "eu-west", 0, deadline, 1).encode(),
                403);
        assertRefused(user, path, signature.sign("POST", path, "someone-else", "eu-west", 0, deadline, 1).encode(),
                403);
        assertRefused(user, path, signature.sign("POST", path, user, "us-east", 0, deadline, 1).encode(), 403);
        assertRefused(user, path, signature.sign("POST", path, user, "eu-west", 0, deadline, 2).encode(), 403);
        assertRefused(user, path, signature.sign("POST", path, user, "eu-west", 0,
                System.currentTimeMillis() - 1, 1).encode(), 504);
        assertThat(notesOf(user)).as("no refused request ran").isZero();

        String signed = signature.sign("POST", path, user, "eu-west", 0, deadline, 1).encode();
        HttpResponse<String> valid = send(home, "POST", path, Map.of(DomicileHeaders.USER, user,
                DomicileHeaders.FORWARDED, signed));
        assertThat(valid.statusCode()).as("the same request correctly signed").isEqualTo(200);
        assertThat(notesOf(user)).isEqualTo(1);

        assertRefused(user, path, signed, 403);
        assertThat(notesOf(user)).as("a replay of an admitted request does not run").isEqualTo(1);
    }

    private void assertRefused(String user, String path, String header, int status) throws Exception {
        HttpResponse<String> response = send(home, "POST", path,
                Map.of(DomicileHeaders.USER, user, DomicileHeaders.FORWARDED, header));
        assertThat(response.statusCode()).as(header).isEqualTo(status);
        assertThat(response.body()).contains("\"message\"");
    }

    @Test
    void redirectAnswers307Or421WithTheHomeLocation() throws Exception {
        for (int status : new int[] {307, 421}) {
            Map<String, Object> properties = forwarding("us-east", "REDIRECT");
            properties.put("domicile.forwarding.redirect-status", status);
            try (EmbeddedServer redirecting = TestApplication.start(properties)) {
                String user = userHomedAt("eu-west");
                HttpResponse<String> response = send(redirecting, "POST", "/notes/moved?a=b",
                        Map.of(DomicileHeaders.USER, user));
                assertThat(response.statusCode()).isEqualTo(status);
                assertThat(response.headers().firstValue("Location"))
                        .contains(home.getURL().toString().replaceAll("/$", "") + "/notes/moved?a=b");
                assertThat(response.headers().firstValue(DomicileHeaders.SITE)).contains("us-east");
                assertThat(response.headers().firstValue(DomicileHeaders.HOME)).contains("eu-west");
                assertThat(notesOf(user)).isZero();
            }
        }
    }

    @Test
    void rejectAnswers503WithRetryAfter() throws Exception {
        Map<String, Object> properties = forwarding("us-east", "REJECT");
        properties.put("domicile.forwarding.retry-after", "7s");
        try (EmbeddedServer rejecting = TestApplication.start(properties)) {
            String user = userHomedAt("eu-west");
            HttpResponse<String> response = send(rejecting, "POST", "/notes/no", Map.of(DomicileHeaders.USER, user));
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("7");
            assertThat(notesOf(user)).isZero();
            HttpResponse<String> read = send(rejecting, "GET", "/notes/blocking", Map.of(DomicileHeaders.USER, user));
            assertThat(read.statusCode()).as("reads still run here").isEqualTo(200);
        }
    }

    @Test
    void anUnreachableHomeGives502() throws Exception {
        Map<String, Object> properties = forwarding("us-east", "FORWARD");
        properties.put("domicile.sites.eu-west.base-url", "http://127.0.0.1:1");
        try (EmbeddedServer forwarding = TestApplication.start(properties)) {
            String user = userHomedAt("eu-west");
            HttpResponse<String> response = send(forwarding, "POST", "/notes/lost", Map.of(DomicileHeaders.USER, user));
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).contains("forwarding to home site eu-west failed");
            assertThat(notesOf(user)).isZero();
        }
    }

    @Test
    void anEdgeOnlySiteForwardsEveryRequestToTheUsersHome() throws Exception {
        Map<String, Object> properties = forwarding("us-east", "FORWARD");
        properties.put("domicile.local-site", "edge");
        properties.put("domicile.sites.edge.base-url", "http://edge.example:8080");
        properties.put("domicile.sites.us-east.base-url", visited.getURL().toString());
        properties.put("domicile.edge-only", true);
        try (EmbeddedServer edge = TestApplication.start(properties)) {
            for (String site : topology.sites()) {
                String user = userHomedAt(site);
                HttpResponse<String> write = send(edge, "POST", "/notes/via-edge", Map.of(DomicileHeaders.USER, user));
                assertThat(write.statusCode()).isEqualTo(200);
                assertThat(write.headers().firstValue(DomicileHeaders.SITE)).contains(site);
                HttpResponse<String> read = send(edge, "GET", "/notes/blocking", Map.of(DomicileHeaders.USER, user));
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(read.headers().firstValue(DomicileHeaders.SITE)).contains(site);
                assertThat(read.body()).contains("\"notes\":1");
                assertThat(notesOf(user)).isEqualTo(1);
            }
        }
    }

    @Test
    void anEdgeOnlySiteWithoutDatabasesRunsEveryUserRequestAtItsHome() throws Exception {
        Map<String, Object> properties = forwarding("us-east", "FORWARD");
        properties.keySet().removeIf(key -> key.contains(".primary.") || key.contains(".replicas["));
        properties.put("domicile.local-site", "edge");
        properties.put("domicile.sites.edge.base-url", "http://edge.example:8080");
        properties.put("domicile.sites.us-east.base-url", visited.getURL().toString());
        properties.put("domicile.edge-only", true);
        properties.put("domicile.filter.missing-user", "PASS_THROUGH");
        try (EmbeddedServer edge = TestApplication.start(properties)) {
            assertThat(edge.getApplicationContext().findBean(RoutingDataSource.class)).isEmpty();
            assertThat(edge.getApplicationContext().getBean(DataSource.class)).isInstanceOf(EdgeOnlyDataSource.class);
            for (String site : topology.sites()) {
                String user = userHomedAt(site);
                int port = topology.primary(topology.homePartition(site)).port();
                HttpResponse<String> write = send(edge, "POST", "/notes/edge-write", Map.of(DomicileHeaders.USER,
                        user));
                assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
                assertThat(write.body()).as("the insert ran on the home primary").contains("\"port\":" + port);
                assertThat(write.headers().firstValue(DomicileHeaders.SITE)).contains(site);
                assertThat(write.headers().firstValue(DomicileHeaders.HOME)).contains(site);
                HttpResponse<String> read = send(edge, "GET", "/notes/strong", Map.of(DomicileHeaders.USER, user));
                assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                assertThat(read.body()).contains("\"port\":" + port, "\"notes\":1");
                assertThat(read.headers().firstValue(DomicileHeaders.SITE)).contains(site);
                assertThat(read.headers().firstValue(DomicileHeaders.HOME)).contains(site);
                assertThat(notesOf(user)).isEqualTo(1);
            }
            HttpResponse<String> anonymous = send(edge, "GET", "/notes/blocking", Map.of());
            assertThat(anonymous.statusCode()).as("no user, no home, no local database").isEqualTo(503);
            assertThat(anonymous.headers().firstValue("Retry-After")).isPresent();
            assertThat(anonymous.headers().firstValue(DomicileHeaders.SITE)).contains("edge");
            assertThat(anonymous.body()).contains("edge-only");
            HttpResponse<String> health = send(edge, "GET", "/health", Map.of());
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"databases\":\"none");
        }
    }

    private HttpResponse<String> send(EmbeddedServer server, String method, String target, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve(target))
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int notesOf(String user) throws SQLException {
        return TestUsers.notesOf(topology, home.getApplicationContext(), user);
    }

    private String userHomedAt(String site) {
        return TestUsers.homedAt(home.getApplicationContext(), "fwd-", site);
    }
}
