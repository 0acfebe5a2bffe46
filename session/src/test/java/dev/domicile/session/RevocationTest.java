package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** Revoking a user reaches every site within a second, and a Redis restart does not bring a revoked session back. */
class RevocationTest {

    private static final List<String> SITES = List.of("eu-west", "us-east", "ap-south");

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").site("us-east").site("ap-south").replicasPerSite(0));

    /** Per site, per user: when (System.nanoTime) the site's store heard of the revocation. */
    private static final Map<String, Map<String, Long>> HEARD = new ConcurrentHashMap<>();
    private static final Map<String, RegionalSessionStore> STORES = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        Topology topology = TOPOLOGY.topology();
        for (String site : SITES) {
            Map<String, Long> heard = HEARD.computeIfAbsent(site, s -> new ConcurrentHashMap<>());
            STORES.put(site, RegionalSessionStore.start(Fixtures.config(topology, site, Clock.systemUTC())
                    .listener(new SessionListener() {
                        @Override
                        public void onUserRevoked(String userKey) {
                            heard.putIfAbsent(userKey, System.nanoTime());
                        }
                    }).build()));
        }
    }

    @AfterAll
    static void stop() {
        STORES.values().forEach(RegionalSessionStore::close);
    }

    @Test
    void revocationReachesEverySiteWithinOneSecond() {
        List<Session> sessions = new ArrayList<>();
        for (String site : SITES) {
            RegionalSessionStore store = STORES.get(site);
            sessions.add(store.authenticate(store.create(), "alice", site));
        }
        try (RegionalSessionStore readOnly = RegionalSessionStore.start(Fixtures.config(TOPOLOGY.topology(),
                "ap-south", Clock.systemUTC()).crossRegionPolicy(CrossRegionPolicy.LOCAL_READ_ONLY)
                .readOnlyStaleness(Duration.ofMinutes(1)).build())) {
            assertThat(found(readOnly.load(sessions.getFirst().id().value())).readOnly()).isTrue();

            long start = System.nanoTime();
            RevocationResult result = STORES.get("eu-west").revokeUser("alice");
            long returned = System.nanoTime();

            assertThat(result.complete()).isTrue();
            assertThat(result.reached()).containsExactlyInAnyOrderElementsOf(SITES);
            await().atMost(Duration.ofSeconds(5)).until(() -> SITES.stream()
                    .allMatch(site -> HEARD.get(site).containsKey("alice")));
            long slowest = SITES.stream().mapToLong(site -> HEARD.get(site).get("alice")).max().orElseThrow();
            Duration latency = Duration.ofNanos(slowest - start);
            System.out.printf("revocation: markers written in all 3 sites after %.2f ms, last site notified after"
                    + " %.2f ms%n", (returned - start) / 1e6, latency.toNanos() / 1e6);
            assertThat(latency).isLessThan(Duration.ofSeconds(1));

            // The read-only copy was dropped on the announcement, so this load asks eu-west, which refuses.
            assertThat(readOnly.load(sessions.getFirst().id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
            for (Session session : sessions) {
                for (RegionalSessionStore store : STORES.values()) {
                    assertThat(store.load(session.id().value()))
                            .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
                }
            }
        }
        RegionalSessionStore euWest = STORES.get("eu-west");
        Session afterwards = euWest.authenticate(euWest.create(), "alice", "eu-west");
        assertThat(found(euWest.load(afterwards.id().value())).userKey()).contains("alice");
    }

    @Test
    void aRevokedSessionStaysRevokedAfterARedisRestart() {
        RegionalSessionStore usEast = STORES.get("us-east");
        Session session = usEast.authenticate(usEast.create(), "bob", "us-east");
        Session other = usEast.authenticate(usEast.create(), "carol", "us-east");
        assertThat(usEast.revokeUser("bob").complete()).isTrue();

        TOPOLOGY.topology().stopRedis("us-east");
        TOPOLOGY.topology().startRedis("us-east");

        RedissonClient redis = Fixtures.raw(TOPOLOGY.topology(), "us-east");
        try {
            assertThat(redis.<String, String>getMap(session.id().redisKey()).readAllMap())
                    .as("the revoked tombstone survived the restart").containsOnlyKeys("_r");
            assertThat(redis.getKeys().countExists(other.id().redisKey())).isEqualTo(1);
        } finally {
            redis.shutdown();
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> usEast.load(other.id().value())
                instanceof SessionLookup.Found);
        assertThat(usEast.load(session.id().value()))
                .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
    }
}
