package dev.domicile.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.sample.app.Note;
import dev.domicile.sample.drill.AuthorityAgents;
import dev.domicile.sample.drill.Drill;
import dev.domicile.sample.drill.DrillReport;
import dev.domicile.sample.edge.Edge;
import dev.domicile.sample.edge.RegionHealth;
import dev.domicile.sample.load.LoadConfig;
import dev.domicile.sample.load.LoadGenerator;
import dev.domicile.sample.load.LoadReport;
import dev.domicile.sample.load.NotesClient;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The notes service in two regions on real PostgreSQL primaries and streaming replicas (each region holds a replica
 * of both partitions), a Redis per region for the sessions, and ZooKeeper for the authority: a scripted scenario
 * with users of each home, one of them writing in the wrong region (forwarded home), a cookie-only user, then a short
 * load run through the edge; every note must sit at its owner's home primary and no read may miss the reader's own
 * notes. Then the edge steers around a region whose health fails, and, last, the failover drill moves eu-west's
 * authority to us-east and back while the fenced old primary accepts no write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class TwoRegionsEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Topology topology;
    private AuthorityAgents agents;
    private Regions regions;
    private Edge edge;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(1)
                .replicas("eu-west", "us-east", 1).replicas("us-east", "eu-west", 1).start();
        try {
            agents = AuthorityAgents.start(topology);
            regions = Regions.start(topology, Duration.ofSeconds(60));
            agents.fence("public.notes");
            edge = Edge.start(regions.urls(), Duration.ofMillis(100), Duration.ofSeconds(2), Clock.systemUTC());
        } catch (Exception e) {
            stop();
            throw e;
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    void stop() throws Exception {
        Exception first = null;
        for (AutoCloseable resource : new AutoCloseable[] {http, edge, regions, agents, topology}) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Test
    @Order(1)
    void writesLandAtTheHomePrimaryAndEveryReadSeesTheReadersOwnNotes() throws Exception {
        Map<String, String> expectedHomes = new HashMap<>();   // note text -> site of its owner's home
        for (String home : regions.names()) {
            for (String region : regions.names()) {
                NotesClient user = new NotesClient(http, Homes.user(home, "e2e-at-" + region), TIMEOUT);
                URI at = regions.url(region);
                String text = "written by a " + home + " user in " + region;
                NotesClient.Reply<Note> written = user.write(at, text);
                expectedHomes.put(text, home);
                assertThat(written.site()).as("a write is served by (forwarded to) the user's home").isEqualTo(home);
                assertThat(written.home()).isEqualTo(home);
                assertThat(written.body().owner()).isEqualTo(user.user());
                assertThat(user.tokens()).startsWith(topology.homePartition(home) + "=");
                for (String reader : List.of(region, otherThan(region))) {
                    NotesClient.Reply<List<Note>> read = user.read(regions.url(reader));
                    assertThat(read.site()).isEqualTo(reader);
                    assertThat(read.body()).extracting(Note::text).containsExactly(text);
                }
            }
        }

        for (String region : regions.names()) {
            assertThat(traffic(region)).as("traffic at %s", region).containsEntry("forwarded", 1)
                    .containsEntry("refused", 0);
        }

        LoadReport load = LoadGenerator.run(edge, new LoadConfig(3, 12, 2, Duration.ofSeconds(45), TIMEOUT));
        assertThat(load.errors()).as("errors: %s", load.errorSamples()).isZero();
        assertThat(load.violations()).isZero();
        assertThat(load.requests()).isEqualTo(2L * 3 * 12);
        assertThat(load.regions()).allSatisfy(region -> assertThat(region.away()).isPositive());
        assertThat(load.regions()).allSatisfy(region -> assertThat(region.forwarded()).isPositive());
        long loadWrites = load.regions().stream().mapToLong(LoadReport.RegionFigures::writes).sum();

        Map<String, List<String[]>> rowsByPrimarySite = notesAtEachPrimary();
        long rows = 0;
        for (var entry : rowsByPrimarySite.entrySet()) {
            for (String[] row : entry.getValue()) {
                assertThat(row[0]).as("owner of a note at the primary in %s", entry.getKey())
                        .startsWith(Homes.prefix(entry.getKey()));
                if (expectedHomes.containsKey(row[1])) {
                    assertThat(expectedHomes.get(row[1])).isEqualTo(entry.getKey());
                }
                rows++;
            }
        }
        List<String> scripted = rowsByPrimarySite.values().stream().flatMap(List::stream).map(row -> row[1])
                .filter(expectedHomes::containsKey).toList();
        assertThat(scripted).containsExactlyInAnyOrderElementsOf(expectedHomes.keySet());
        assertThat(rows).isEqualTo(expectedHomes.size() + loadWrites);
    }

    @Test
    @Order(2)
    void aClientWithOnlyItsSessionCookieReadsItsWriteInAnotherRegion() throws Exception {
        NotesClient user = new NotesClient(http, Homes.user("us-east", "cookie-only"), TIMEOUT, false);
        NotesClient.Reply<Note> written = user.write(regions.url("eu-west"), "kept by the session");
        assertThat(written.site()).isEqualTo("us-east");
        assertThat(user.session()).as("the session cookie").isNotEmpty();
        for (String reader : regions.names()) {
            assertThat(user.read(regions.url(reader)).body()).extracting(Note::text)
                    .containsExactly("kept by the session");
        }
    }

    @Test
    @Order(3)
    void theEdgeSendsNoNewClientToARegionFailingItsHealthCheck() throws Exception {
        assertThat(edge.route("us-east")).contains("us-east");
        var homePrimaryLink = topology.link("us-east", topology.primary(topology.homePartition("us-east")));
        homePrimaryLink.blackhole();
        try {
            awaitEdge("us-east", false);
            long before = clients("us-east");
            for (int i = 0; i < 5; i++) {
                assertThat(edge.route("us-east")).as("a client nearest to us-east").contains("eu-west");
            }
            assertThat(clients("us-east")).isEqualTo(before);
            assertThat(get(regions.url("us-east").resolve("/health"), 503)).contains("DOWN");
        } finally {
            homePrimaryLink.heal();
        }
        awaitEdge("us-east", true);
        assertThat(edge.route("us-east")).contains("us-east");
    }

    @Test
    @Order(4)
    void theStatusPageAndWhatItReadsAreServedWithoutAUserKey() throws Exception {
        for (String region : regions.names()) {
            URI url = regions.url(region);
            assertThat(get(url.resolve("/status"))).contains("<title>Domicile demo: status</title>");
            String listed = get(url.resolve("/regions"));
            for (String other : regions.names()) {
                assertThat(listed).contains("\"name\":\"" + other + "\"", regions.url(other).toString());
            }
            assertThat(get(url.resolve("/domicile"))).contains("\"localSite\":\"" + region + "\"", "\"health\"");
            assertThat(get(url.resolve("/traffic"))).contains("\"served\":", "\"forwarded\":", "\"refused\":");
            assertThat(get(url.resolve("/control"))).doesNotContain("http");
        }
    }

    @Test
    @Order(5)
    void aRequestWithoutAUserOrWithABlankNoteIsRefused() throws Exception {
        URI notes = regions.url("eu-west").resolve("/notes");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(notes).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(400);
        assertThat(anonymous.body()).contains("no user key");

        HttpResponse<String> blank = http.send(HttpRequest.newBuilder(notes).timeout(TIMEOUT)
                .header("X-Domicile-User", Homes.user("eu-west", "blank")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(" ")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.body()).contains("a note is 1 to 1000 characters");
    }

    @Test
    @Order(6)
    void theDrillMovesAuthorityAndTheFencedSiteAcceptsNoWrite() throws Exception {
        DrillReport drill = Drill.run(agents, "eu-west", "us-east", regions.url("eu-west"), System.out);
        assertThat(drill.ownerAfterFailover()).isEqualTo("us-east");
        assertThat(drill.epochAfterFailover()).isEqualTo(drill.epochBefore() + 1);
        assertThat(drill.epochAfterSwitchBack()).isEqualTo(drill.epochAfterFailover() + 1);
        assertThat(drill.acceptedAtFencedSite()).as("writes accepted at the fenced old primary").isZero();
        assertThat(drill.refusedByFence()).as("the stale-epoch write at the old primary").isPositive();
        assertThat(drill.refusedByAdmission()).isPositive();
        assertThat(drill.acceptedByStandby()).isPositive();
        assertThat(drill.acceptedAfterSwitchBack()).isPositive();
        assertThat(drill.serviceRefused()).as("notes refused while eu-west could not tell who owns its partition")
                .isPositive();
        assertThat(drill.serviceAccepted()).isPositive();
        AuthorityAgents.PartitionView eu = agents.view().partitions().getFirst();
        assertThat(eu.owner()).isEqualTo("eu-west");
        assertThat(eu.epoch()).isEqualTo(drill.epochAfterSwitchBack());
        assertThat(eu.admitting()).containsExactly("eu-west");
    }

    private void awaitEdge(String region, boolean healthy) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> health(region).healthy() == healthy);
    }

    private RegionHealth health(String region) {
        return edge.health().stream().filter(h -> h.region().equals(region)).findFirst().orElseThrow();
    }

    private long clients(String region) {
        return health(region).clients();
    }

    private Map<String, Object> traffic(String region) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                get(regions.url(region).resolve("/traffic")),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
    }

    private String get(URI uri) throws Exception {
        return get(uri, 200);
    }

    private String get(URI uri, int status) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", uri, response.body()).isEqualTo(status);
        return response.body();
    }

    private String otherThan(String region) {
        return regions.names().stream().filter(r -> !r.equals(region)).findFirst().orElseThrow();
    }

    /** Per site, the (owner, text) of every note at the primary of that site's home partition, read directly. */
    private Map<String, List<String[]>> notesAtEachPrimary() throws SQLException {
        Map<String, List<String[]>> rows = new HashMap<>();
        for (String site : topology.sites()) {
            List<String[]> found = new ArrayList<>();
            try (Connection c = topology.connect(topology.primary(topology.homePartition(site)));
                 Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select owner, text from notes")) {
                while (r.next()) {
                    found.add(new String[] {r.getString(1), r.getString(2)});
                }
            }
            rows.put(site, found);
        }
        return rows;
    }
}
