package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.Fence;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Write authority through the Micronaut layer, on a real two-site topology with a real ZooKeeper: {@code eu} serves
 * eu-west and {@code us} serves us-east, both with the FORWARD policy, each reaching ZooKeeper through its own fault
 * proxy link. Writes go to the partition's current owner, stamped with its epoch; a site that lost ZooKeeper reports
 * DOWN and refuses its writes with 503; refused and fenced writes become 503 with Retry-After; the meters count what
 * happened (read from the application's real Micrometer registry).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorityTest {

    static final String CREDENTIALS = "domicile:zk-secret";

    private Topology topology;
    private EmbeddedServer eu;
    private EmbeddedServer us;
    private CuratorFramework admin;
    private AuthorityStore store;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0)
                .replicas("eu-west", "us-east", 1).redis(false).start();
        TestApplication.createSchema(topology);
        eu = TestApplication.start(withAuthority("eu-west", "FORWARD"));
        us = TestApplication.start(withAuthority("us-east", "FORWARD"));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        AuthorityConfig config = AuthorityConfig.builder().localSite("eu-west").sites("eu-west", "us-east")
                .sessionTimeout(Duration.ofSeconds(5)).connectionTimeout(Duration.ofSeconds(2)).build();
        admin = config.curatorBuilder(topology.zooKeeperConnectString())
                .authorization("digest", CREDENTIALS.getBytes(StandardCharsets.UTF_8)).build();
        admin.start();
        assertThat(admin.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        store = AuthorityStore.of(admin, config);
        await().atMost(Duration.ofSeconds(60)).until(() -> writable(eu, "eu-west") && writable(us, "us-east"));
    }

    @AfterAll
    void stop() throws Exception {
        TestApplication.closeAll(http, us, eu, admin, topology);
    }

    /** A service in {@code site} with authority on, over the site's own ZooKeeper link. */
    private Map<String, Object> withAuthority(String site, String policy) {
        Map<String, Object> properties = new HashMap<>(TestApplication.properties(topology, site));
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("domicile.forwarding.policy", policy);
        properties.put("domicile.forwarding.secret", ForwardingTest.SECRET);
        if (eu != null) {
            properties.put("domicile.sites.eu-west.base-url", eu.getURL().toString());
        }
        properties.put("domicile.zookeeper.connect-string", topology.zooKeeperConnectString(site));
        properties.put("domicile.zookeeper.session-timeout", "5s");
        properties.put("domicile.zookeeper.connection-timeout", "2s");
        properties.put("domicile.zookeeper.safety-margin", "1s");
        properties.put("domicile.zookeeper.auth", CREDENTIALS);
        properties.put("domicile.zookeeper.router-id", site + "-1");
        properties.put("domicile.zookeeper.initialize", true);
        return properties;
    }

    @Test
    void aWriteForAPartitionOwnedElsewhereIsForwardedToItsOwnerWithItsEpoch() throws Exception {
        String user = userHomedAt("eu-west");
        long epoch = store.read(PartitionId.of(topology.homePartition("eu-west"))).orElseThrow().epoch();
        String[] forwardedToOwner = {"policy", "FORWARD", "reason", "OWNED_ELSEWHERE", "target", "eu-west"};
        double sentBefore = count(us, DomicileMetrics.SENT_AWAY, forwardedToOwner);
        double writesBefore = count(eu, DomicileMetrics.DECISIONS, "reason", "WRITE_TO_PRIMARY", "intent", "WRITE");

        HttpResponse<String> response = send(us, "POST", "/notes/forwarded", user);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue(DomicileHeaders.SITE)).contains("eu-west");
        assertThat(response.body()).contains("\"port\":" + topology.primary(topology.homePartition("eu-west")).port())
                .as("the write ran at eu-west stamped with the partition's epoch")
                .contains("\"epoch\":\"" + epoch + "\"");

        HttpResponse<String> echoed = send(us, "POST", "/echo/forwarded", user);
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.body()).as("the signed header carries the owner's epoch")
                .contains("home=eu-west;epoch=" + epoch + ";");
        assertThat(count(us, DomicileMetrics.SENT_AWAY, forwardedToOwner) - sentBefore).isEqualTo(2);
        assertThat(count(eu, DomicileMetrics.DECISIONS, "reason", "WRITE_TO_PRIMARY", "intent", "WRITE") - writesBefore)
                .as("the insert was routed at eu-west").isGreaterThanOrEqualTo(1);
    }

    @Test
    void afterAHandOverWritesGoToTheNewOwnerNotTheMapsHome() throws Exception {
        PartitionId usPartition = PartitionId.of(topology.homePartition("us-east"));
        String user = userHomedAt("us-east");
        long before = store.read(usPartition).orElseThrow().epoch();
        store.handOver(usPartition, SiteId.of("eu-west"), before);
        store.activate(usPartition, before + 1);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !writable(us, "us-east") && writable(eu, "us-east"));
            HttpResponse<String> response = send(us, "POST", "/notes/moved", user);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue(DomicileHeaders.SITE)).as("served by the owner")
                    .contains("eu-west");
            assertThat(response.headers().firstValue(DomicileHeaders.HOME)).as("the map's home").contains("us-east");
            assertThat(response.body()).contains("\"port\":" + topology.primary(usPartition.value()).port())
                    .contains("\"epoch\":\"" + (before + 1) + "\"");
            assertThat(count(us, DomicileMetrics.AUTHORITY_CHANGES, "partition", usPartition.value(), "owner",
                    "eu-west")).isGreaterThanOrEqualTo(1);
            assertThat(gauge(us, DomicileMetrics.EPOCH, "partition", usPartition.value())).isEqualTo(before + 1);
            assertThat(gauge(us, DomicileMetrics.WRITABLE, "partition", usPartition.value())).isZero();
        } finally {
            store.handOver(usPartition, SiteId.of("us-east"), before + 1);
            store.activate(usPartition, before + 2);
            await().atMost(Duration.ofSeconds(60)).until(() -> writable(us, "us-east") && !writable(eu, "us-east"));
        }
    }

    @Test
    void aRefusedWriteThatIsNotForwardedIsAnswered503WithRetryAfter() throws Exception {
        Map<String, Object> properties = withAuthority("us-east", "LOCAL");
        properties.put("domicile.zookeeper.router-id", "us-east-2");
        try (EmbeddedServer local = TestApplication.start(properties)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> writable(local, "us-east"));
            HttpResponse<String> response = send(local, "POST", "/notes/refused", userHomedAt("eu-west"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("1");
            assertThat(response.body()).contains("\"owner\":\"eu-west\"", "\"hint\":\"FORWARD_TO_OWNER\"");
            assertThat(count(local, DomicileMetrics.REFUSED, "reason", "refused")).isEqualTo(1);
            HttpResponse<String> wrapped = send(local, "POST", "/wrapped/refused", userHomedAt("eu-west"));
            assertThat(wrapped.statusCode()).as("the refusal wrapped in an unchecked exception: " + wrapped.body())
                    .isEqualTo(503);
            assertThat(wrapped.headers().firstValue("Retry-After")).contains("1");
            assertThat(wrapped.body()).contains("\"owner\":\"eu-west\"", "\"hint\":\"FORWARD_TO_OWNER\"");
            assertThat(count(local, DomicileMetrics.REFUSED, "reason", "refused")).isEqualTo(2);
            assertThat(send(local, "POST", "/notes/mine", userHomedAt("us-east")).statusCode())
                    .as("its own partition's writes run").isEqualTo(200);
        }
    }

    @Test
    void healthTurnsDownWhenTheSitesZooKeeperLinkIsCutAndUpWhenHealed() throws Exception {
        assertThat(get(us, "/health").statusCode()).isEqualTo(200);
        double unavailableBefore = count(us, DomicileMetrics.REFUSED, "reason", "authority-unavailable");
        topology.zooKeeperLink("us-east").blackhole();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> health = get(us, "/health");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"live\":false",
                        "\"writable\":{\"eu-west\":false,\"us-east\":false}");
            });
            HttpResponse<String> write = send(us, "POST", "/notes/cut-off", userHomedAt("us-east"));
            assertThat(write.statusCode()).as(write.body()).isEqualTo(503);
            assertThat(write.headers().firstValue("Retry-After")).isPresent();
            assertThat(count(us, DomicileMetrics.REFUSED, "reason", "authority-unavailable") - unavailableBefore)
                    .isEqualTo(1);
            assertThat(gauge(us, DomicileMetrics.LIVE)).isZero();
            assertThat(get(eu, "/health").statusCode()).as("the other site is unaffected").isEqualTo(200);
        } finally {
            topology.zooKeeperLink("us-east").heal();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> health = get(us, "/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"live\":true",
                    "\"writable\":{\"eu-west\":false,\"us-east\":true}");
        });
        assertThat(send(us, "POST", "/notes/back", userHomedAt("us-east")).statusCode()).isEqualTo(200);
        assertThat(gauge(us, DomicileMetrics.LIVE)).isEqualTo(1);
    }

    @Test
    void aWriteTheDatabaseFencesIsAnswered503AndCounted() throws Exception {
        String partition = topology.homePartition("us-east");
        String user = userHomedAt("us-east");
        try (Connection c = topology.connect(topology.primary(partition))) {
            Fence.install(c, partition, 1);
            Fence.fenceTable(c, "public.notes");
            Fence.bump(c, 1_000, Duration.ofSeconds(2)); // as if another site had taken over far ahead
        }
        try {
            double before = count(us, DomicileMetrics.FENCED);
            HttpResponse<String> response = send(us, "POST", "/notes/fenced", user);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("1");
            assertThat(response.body()).contains("fenced");
            assertThat(count(us, DomicileMetrics.FENCED) - before).isEqualTo(1);
        } finally {
            try (Connection c = topology.connect(topology.primary(partition))) {
                Fence.uninstall(c);
            }
        }
        assertThat(send(us, "POST", "/notes/unfenced", user).statusCode()).isEqualTo(200);
    }

    @Test
    void theLagOfEachReplicaIsAGauge() {
        Endpoint replica = topology.replicas(topology.homePartition("eu-west")).getFirst();
        for (EmbeddedServer server : new EmbeddedServer[] {eu, us}) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(gauge(server, DomicileMetrics.LAG, "partition", replica.partition(), "site",
                            replica.site())).isBetween(0.0, 60.0));
        }
    }

    @Test
    void theEndpointShowsAuthorityPerPartition() throws Exception {
        HttpResponse<String> report = get(eu, "/domicile");
        assertThat(report.statusCode()).isEqualTo(200);
        String partition = topology.homePartition("eu-west");
        long epoch = store.read(PartitionId.of(partition)).orElseThrow().epoch();
        assertThat(report.body()).contains("\"authority\":{\"live\":true,\"state\":\"live\"",
                "\"writable\":[\"" + partition + "\"]",
                "{\"partition\":\"" + partition + "\",\"owner\":\"eu-west\",\"epoch\":" + epoch
                        + ",\"phase\":\"ACTIVE\",\"since\":\"",
                "\"lease\":\"eu-west/eu-west-1\",\"writable\":true}");
    }

    @Test
    void aWriteWhoseHomePrimaryIsDownIsAnswered503WithRetryAfter() throws Exception {
        String user = userHomedAt("eu-west");
        topology.stop(topology.primary(topology.homePartition("eu-west")));
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> response = send(eu, "POST", "/notes/down", user);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
                assertThat(response.body()).contains("\"message\"");
            });
        } finally {
            topology.start(topology.primary(topology.homePartition("eu-west")));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> send(eu, "POST", "/notes/up", user).statusCode() == 200);
    }

    private static double count(EmbeddedServer server, String name, String... tags) {
        Counter counter = server.getApplicationContext().getBean(MeterRegistry.class).find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private static double gauge(EmbeddedServer server, String name, String... tags) {
        Gauge gauge = server.getApplicationContext().getBean(MeterRegistry.class).find(name).tags(tags).gauge();
        assertThat(gauge).as(name + " " + String.join(",", tags)).isNotNull();
        return gauge.value();
    }

    private boolean writable(EmbeddedServer server, String site) {
        return server.getApplicationContext().getBean(DomicileAuthority.class).admission()
                .admits(PartitionId.of(topology.homePartition(site)));
    }

    private HttpResponse<String> get(EmbeddedServer server, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.getURI().resolve(path)).timeout(Duration.ofSeconds(60)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(EmbeddedServer server, String method, String path, String user)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.getURI().resolve(path)).timeout(Duration.ofSeconds(60))
                .header(DomicileHeaders.USER, user).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String userHomedAt(String site) {
        return TestUsers.homedAt(eu.getApplicationContext(), "auth-", site);
    }
}
