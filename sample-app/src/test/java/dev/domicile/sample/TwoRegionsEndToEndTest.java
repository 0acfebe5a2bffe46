package dev.domicile.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.sample.app.Note;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The notes service in two regions on real PostgreSQL primaries and streaming replicas (each region holds a replica
 * of both partitions): a scripted scenario with users of each home, one of them writing in the wrong region, then a
 * short load run; every note must sit at its owner's home primary and no read may miss the reader's own notes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class TwoRegionsEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Topology topology;
    private Regions regions;
    private HttpClient http;

    @BeforeAll
    void start() {
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(1)
                .replicas("eu-west", "us-east", 1).replicas("us-east", "eu-west", 1).redis(false).start();
        try {
            regions = Regions.start(topology, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    void stop() throws Exception {
        Exception first = null;
        for (AutoCloseable resource : new AutoCloseable[] {http, regions, topology}) {
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
    void writesLandAtTheHomePrimaryAndEveryReadSeesTheReadersOwnNotes() throws Exception {
        Map<String, String> expectedHomes = new HashMap<>();   // note text -> site of its owner's home
        for (String home : regions.names()) {
            for (String region : regions.names()) {
                NotesClient user = new NotesClient(http, Homes.user(home, "e2e-at-" + region), TIMEOUT);
                URI at = regions.url(region);
                String text = "written by a " + home + " user in " + region;
                NotesClient.Reply<Note> written = user.write(at, text);
                expectedHomes.put(text, home);
                assertThat(written.site()).isEqualTo(region);
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

        LoadReport load = LoadGenerator.run(regions.urls(),
                new LoadConfig(3, 12, 2, Duration.ofSeconds(45), TIMEOUT));
        assertThat(load.errors()).as("errors: %s", load.errorSamples()).isZero();
        assertThat(load.violations()).isZero();
        assertThat(load.requests()).isEqualTo(2L * 3 * 12);
        assertThat(load.regions()).allSatisfy(region -> assertThat(region.away()).isPositive());
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
    void theStatusPageAndWhatItReadsAreServedWithoutAUserKey() throws Exception {
        for (String region : regions.names()) {
            URI url = regions.url(region);
            assertThat(get(url.resolve("/status"))).contains("<title>Domicile demo: status</title>");
            String listed = get(url.resolve("/regions"));
            for (String other : regions.names()) {
                assertThat(listed).contains("\"name\":\"" + other + "\"", regions.url(other).toString());
            }
            assertThat(get(url.resolve("/domicile"))).contains("\"localSite\":\"" + region + "\"", "\"health\"");
        }
    }

    @Test
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

    private String get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", uri, response.body()).isEqualTo(200);
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
