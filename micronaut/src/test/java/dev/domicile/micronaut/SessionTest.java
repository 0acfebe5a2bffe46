package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.router.RoutingDataSource;
import dev.domicile.router.RoutingDecision;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.RedisNode;
import dev.domicile.testkit.Topology;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Micronaut's {@code Session} on the regional session store, on a real two-site topology with a Redis per site,
 * served from eu-west: a session is created in the Redis of its user's home only, carries the router's tokens so a
 * later read sees the user's write without a tokens header, and a tampered cookie yields a new session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionTest {

    private static final String SECRET = "a-session-secret-of-at-least-32-bytes!!";

    private Topology topology;
    private EmbeddedServer server;
    private HttpClient http;
    private final ConcurrentLinkedQueue<RoutingDecision> decisions = new ConcurrentLinkedQueue<>();

    @BeforeAll
    void start() throws Exception {
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(1).redis(true).start();
        TestApplication.createSchema(topology);
        Map<String, Object> properties = new HashMap<>(TestApplication.properties(topology, "eu-west"));
        for (String site : topology.sites()) {
            properties.put("domicile.sites." + site + ".redis-uri", topology.redisUri("eu-west", site));
        }
        properties.put("domicile.session.secret", SECRET);
        server = TestApplication.start(properties);
        server.getApplicationContext().getBean(RoutingDataSource.class).addListener(decisions::add);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    void stop() throws Exception {
        TestApplication.closeAll(http, server, topology);
    }

    @Test
    void aSessionIsStoredOnlyInTheRedisOfItsUsersHome() throws Exception {
        for (String home : topology.sites()) {
            String user = userHomedAt(home);
            HttpResponse<String> created = send("POST", "/session-notes/first", user, null);
            assertThat(created.statusCode()).isEqualTo(200);
            String id = sessionCookie(created);
            assertThat(id).startsWith("s1." + home + ".");
            assertThat(created.body()).contains("\"new\":true");
            String random = id.split("\\.")[3];
            for (String site : topology.sites()) {
                int keys = keysContaining(topology.redis(site), random);
                if (site.equals(home)) {
                    assertThat(keys).as("keys in the Redis of " + site).isPositive();
                } else {
                    assertThat(keys).as("keys in the Redis of " + site).isZero();
                }
            }
        }
    }

    @Test
    void aLaterRequestWithTheCookieReadsItsOwnWriteWithoutATokensHeader() throws Exception {
        String user = userHomedAt("us-east");
        HttpResponse<String> written = send("POST", "/session-notes/remember-me", user, null);
        String id = sessionCookie(written);
        decisions.clear();
        HttpResponse<String> read = send("GET", "/session-notes", user, id);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains("\"notes\":1").contains("\"last\":\"remember-me\"");
        assertThat(decisions).filteredOn(d -> d.intent().toString().equals("READ")).singleElement()
                .satisfies(d -> assertThat(d.token()).as("the session's token bounded the read")
                        .isIn(RoutingDecision.TokenOutcome.MET, RoutingDecision.TokenOutcome.WAITED,
                                RoutingDecision.TokenOutcome.FELL_BACK));
        assertThat(read.headers().firstValue(DomicileHeaders.TOKENS).orElseThrow())
                .isEqualTo(written.headers().firstValue(DomicileHeaders.TOKENS).orElseThrow());
    }

    @Test
    void aTamperedCookieYieldsANewSessionNeverAnError() throws Exception {
        String user = userHomedAt("eu-west");
        String id = sessionCookie(send("POST", "/session-notes/mine", user, null));
        char last = id.charAt(id.length() - 1);
        String tampered = id.substring(0, id.length() - 1) + (last == 'A' ? 'B' : 'A');
        HttpResponse<String> response = send("POST", "/session-notes/again", user, tampered);
        assertThat(response.statusCode()).isEqualTo(200);
        String fresh = sessionCookie(response);
        assertThat(fresh).isNotEqualTo(tampered).isNotEqualTo(id).startsWith("s1.eu-west.");
        HttpResponse<String> read = send("GET", "/session-notes", user, tampered);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).as("the tampered id's session is not read").doesNotContain("\"last\"");
    }

    private HttpResponse<String> send(String method, String path, String user, String session)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve(path))
                .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody())
                .header(DomicileHeaders.USER, user);
        if (session != null) {
            request.header("Cookie", "SESSION="
                    + Base64.getEncoder().encodeToString(session.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The session id the response set, decoded from the cookie (Micronaut base64-encodes it). */
    private static String sessionCookie(HttpResponse<String> response) {
        String value = response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("SESSION="))
                .map(c -> c.substring("SESSION=".length(), c.contains(";") ? c.indexOf(';') : c.length()))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie in " + response.headers()));
        return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    }

    /** How many keys of {@code redis} contain {@code fragment}, asked with a plain RESP {@code KEYS} command. */
    private static int keysContaining(RedisNode redis, String fragment) throws IOException {
        String pattern = "*" + fragment + "*";
        String command = "*2\r\n$4\r\nKEYS\r\n$" + pattern.length() + "\r\n" + pattern + "\r\n";
        try (Socket socket = new Socket(redis.host(), redis.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("Redis closed the connection");
                }
                line.append((char) c);
            }
            assertThat(line.charAt(0)).as("a RESP array").isEqualTo('*');
            return Integer.parseInt(line.substring(1));
        }
    }

    private String userHomedAt(String site) {
        return TestUsers.homedAt(server.getApplicationContext(), "session-", site);
    }
}
