package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.router.RoutingDataSource;
import dev.domicile.router.RoutingDecision;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.BlockingHttpClient;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter and the data source bean on a real two-site topology (a primary and a local replica per site), served
 * from eu-west: writes land on the home primary, reads with the returned tokens see them, the context is bound on
 * blocking and event-loop threads, annotations override intent and consistency, bad input is answered with 400.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DomicileFilterTest {

    private static final Argument<Map<String, Object>> JSON = Argument.mapOf(String.class, Object.class);

    private Topology topology;
    private EmbeddedServer server;
    private HttpClient httpClient;
    private BlockingHttpClient client;
    private final ConcurrentLinkedQueue<RoutingDecision> decisions = new ConcurrentLinkedQueue<>();

    @BeforeAll
    void start() throws Exception {
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(1).redis(false).start();
        TestApplication.createSchema(topology);
        server = TestApplication.start(TestApplication.properties(topology, "eu-west"));
        server.getApplicationContext().getBean(RoutingDataSource.class).addListener(decisions::add);
        httpClient = HttpClient.create(server.getURL());
        client = httpClient.toBlocking();
    }

    @AfterAll
    void stop() throws Exception {
        TestApplication.closeAll(httpClient, server, topology);
    }

    @Test
    void theDataSourceBeanIsTheRoutingDataSource() {
        assertThat(server.getApplicationContext().getBean(DataSource.class)).isInstanceOf(RoutingDataSource.class);
    }

    @Test
    void aWriteLandsOnTheHomePrimaryAndAReadWithItsTokensSeesIt() {
        for (String home : topology.sites()) {
            String user = userHomedAt(home);
            HttpResponse<Map<String, Object>> written = client.exchange(as(user, HttpRequest.POST("/notes/hello", "")),
                    JSON);
            Endpoint primary = topology.primary(topology.homePartition(home));
            assertThat(written.body()).containsEntry("port", primary.port()).containsEntry("user", user);
            assertThat(written.header(DomicileHeaders.SITE)).isEqualTo("eu-west");
            assertThat(written.header(DomicileHeaders.HOME)).isEqualTo(home);
            String tokens = written.header(DomicileHeaders.TOKENS);
            assertThat(tokens).startsWith(topology.homePartition(home) + "=");

            decisions.clear();
            HttpResponse<Map<String, Object>> read = client.exchange(
                    as(user, HttpRequest.GET("/notes/blocking")).header(DomicileHeaders.TOKENS, tokens), JSON);
            assertThat(read.body()).containsEntry("notes", 1);
            assertThat(read.body().get("port")).isIn(ports(topology.homePartition(home)));
            assertThat(read.header(DomicileHeaders.TOKENS)).isEqualTo(tokens);
            assertThat(decisions).singleElement().satisfies(decision -> {
                assertThat(decision.intent()).hasToString("READ");
                assertThat(decision.token()).isIn(RoutingDecision.TokenOutcome.MET,
                        RoutingDecision.TokenOutcome.WAITED, RoutingDecision.TokenOutcome.FELL_BACK);
            });
        }
    }

    @Test
    void theContextIsBoundOnBlockingAndEventLoopThreadsAlike() {
        String user = userHomedAt("us-east");
        Map<String, Object> blocking = client.retrieve(as(user, HttpRequest.GET("/notes/blocking")), JSON);
        Map<String, Object> loop = client.retrieve(as(user, HttpRequest.GET("/notes/loop")), JSON);
        assertThat(blocking).containsEntry("user", user).containsEntry("intent", "READ");
        assertThat(loop).containsEntry("user", user).containsEntry("intent", "READ");
        assertThat(loop.get("thread").toString()).containsIgnoringCase("eventloop");
        assertThat(blocking.get("thread").toString()).doesNotContainIgnoringCase("eventloop");
    }

    @Test
    void annotationsOverrideIntentAndConsistency() {
        String user = userHomedAt("eu-west");
        assertThat(client.retrieve(as(user, HttpRequest.POST("/notes/peek", "")), JSON))
                .containsEntry("intent", "READ").containsEntry("consistency", "READ_YOUR_WRITES");
        assertThat(client.retrieve(as(user, HttpRequest.GET("/notes/strong")), JSON))
                .containsEntry("consistency", "STRONG")
                .containsEntry("port", topology.primary(topology.homePartition("eu-west")).port());
        assertThat(client.retrieve(as(user, HttpRequest.GET("/notes/bounded")), JSON))
                .containsEntry("consistency", "BOUNDED_STALENESS(PT3S)");
    }

    @Test
    void malformedTokensAreRefusedWith400() {
        MutableHttpRequest<?> request = as(userHomedAt("eu-west"), HttpRequest.GET("/notes/blocking"))
                .header(DomicileHeaders.TOKENS, "eu-west=not-an-lsn");
        assertThatThrownBy(() -> client.exchange(request, JSON))
                .isInstanceOfSatisfying(HttpClientResponseException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(400);
                    assertThat(message(e))
                            .startsWith("malformed X-Domicile-Tokens header: ");
                });
    }

    @Test
    void aMissingOrInvalidUserKeyIsRefusedWith400() {
        assertThatThrownBy(() -> client.exchange(HttpRequest.GET("/notes/blocking"), JSON))
                .isInstanceOfSatisfying(HttpClientResponseException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(400);
                    assertThat(message(e))
                            .contains("no user key");
                });
        assertThatThrownBy(() -> client.exchange(as("x".repeat(300), HttpRequest.GET("/notes/blocking")), JSON))
                .isInstanceOfSatisfying(HttpClientResponseException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(400);
                    assertThat(message(e))
                            .startsWith("invalid user key: ");
                });
    }

    @Test
    void withPassThroughARequestWithoutUserRunsWithoutContextAndNothingLeaksBetweenRequests() throws Exception {
        Map<String, Object> properties = new java.util.HashMap<>(TestApplication.properties(topology, "eu-west"));
        properties.put("domicile.filter.missing-user", "PASS_THROUGH");
        properties.put("domicile.router.default-partition", "eu-west");
        properties.put("micronaut.netty.event-loops.default.num-threads", 1);
        try (EmbeddedServer passing = TestApplication.start(properties);
             HttpClient passingClient = HttpClient.create(passing.getURL())) {
            String user = userHomedAt("us-east");
            Map<String, Object> withUser = passingClient.toBlocking()
                    .retrieve(as(user, HttpRequest.GET("/notes/loop")), JSON);
            HttpResponse<Map<String, Object>> anonymous = passingClient.toBlocking()
                    .exchange(HttpRequest.GET("/notes/loop"), JSON);
            assertThat(withUser).containsEntry("user", user);
            assertThat(anonymous.body()).containsEntry("thread", withUser.get("thread"))
                    .doesNotContainKey("user")
                    .containsEntry("port", topology.primary("eu-west").port());
            assertThat(anonymous.header(DomicileHeaders.SITE)).isEqualTo("eu-west");
            assertThat(anonymous.header(DomicileHeaders.HOME)).isNull();
        }
    }

    @Test
    void aUserKeyResolverBeanReplacesTheHeader() throws Exception {
        Map<String, Object> properties = new java.util.HashMap<>(TestApplication.properties(topology, "eu-west"));
        properties.put("test.resolver", "query");
        try (EmbeddedServer custom = TestApplication.start(properties);
             HttpClient customClient = HttpClient.create(custom.getURL())) {
            String user = userHomedAt("us-east");
            HttpResponse<Map<String, Object>> response = customClient.toBlocking()
                    .exchange(HttpRequest.GET("/notes/blocking?as=" + user), JSON);
            assertThat(response.body()).containsEntry("user", user);
            assertThat(response.header(DomicileHeaders.HOME)).isEqualTo("us-east");
            assertThatThrownBy(() -> customClient.toBlocking()
                    .exchange(as(user, HttpRequest.GET("/notes/blocking")), JSON))
                    .as("the header is no longer read")
                    .isInstanceOfSatisfying(HttpClientResponseException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(400));
        }
    }

    @Test
    void theManagementEndpointShowsEveryEndpointAndTheDecisions() {
        client.retrieve(as(userHomedAt("eu-west"), HttpRequest.GET("/notes/blocking")), JSON);
        Map<String, Object> report = client.retrieve(HttpRequest.GET("/domicile"), JSON);
        assertThat(report).containsEntry("localSite", "eu-west").containsEntry("mapVersion", 1)
                .containsEntry("mapStale", false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) report.get("endpoints");
        assertThat(endpoints).extracting(e -> e.get("name")).containsExactly("eu-west-primary",
                "eu-west-replica-eu-west-0", "us-east-primary", "us-east-replica-us-east-0");
        assertThat(endpoints).allSatisfy(e -> assertThat(e).containsEntry("health", "UP"));
        assertThat(endpoints).filteredOn(e -> "REPLICA".equals(e.get("role")))
                .allSatisfy(e -> assertThat(e.get("lagMillis")).isInstanceOf(Number.class));
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = (Map<String, Object>) report.get("decisions");
        assertThat(counts).containsKeys("WRITE_TO_PRIMARY", "LOCAL_REPLICA", "PRIMARY_FALLBACK");
        assertThat(counts.values().stream().mapToLong(v -> ((Number) v).longValue()).sum()).isPositive();
    }

    @Test
    void healthReportsWhatThisSiteCanServe() {
        Map<String, Object> health = client.retrieve(HttpRequest.GET("/health"), JSON);
        assertThat(health).containsEntry("status", "UP");
        assertThat(health.toString()).contains("domicile", "primaryUsable=true", "localReplicasUp=1");
    }

    private List<Integer> ports(String partition) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(topology.primary(partition)),
                topology.replicas(partition).stream()).map(Endpoint::port).toList();
    }

    /** A new user whose home partition is homed at {@code site}, found in the partition map the service uses. */
    private String userHomedAt(String site) {
        return TestUsers.homedAt(server.getApplicationContext(), "user-", site);
    }

    private static String message(HttpClientResponseException e) {
        Map<String, Object> body = e.getResponse().getBody(JSON).orElseThrow();
        return String.valueOf(body.get("message"));
    }

    private static <T> MutableHttpRequest<T> as(String user, MutableHttpRequest<T> request) {
        return request.header(DomicileHeaders.USER, user);
    }
}
