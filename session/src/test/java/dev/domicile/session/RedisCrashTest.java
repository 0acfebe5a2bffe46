package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.MutableClock;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * A Redis killed with SIGKILL (a crash: no shutdown, no final flush) takes down only its own site's sessions, and
 * after it restarts from its append-only file, what was acknowledged before the crash holds: live sessions are back,
 * revoked and logged-out ones are not.
 */
class RedisCrashTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0));

    @Test
    void aKilledRedisAffectsOnlyItsOwnSite() {
        Topology topology = TOPOLOGY.topology();
        MutableClock clock = MutableClock.ofNow();
        RedissonClient euRedis = Fixtures.raw(topology, "eu-west");
        try (RegionalSessionStore euWest = RegionalSessionStore.start(Fixtures.config(topology, "eu-west", clock)
                .build());
             RegionalSessionStore usEast = RegionalSessionStore.start(Fixtures.config(topology, "us-east", clock)
                     .build())) {
            Session inEu = euWest.authenticate(euWest.create(), "frank", "eu-west");
            Session inUs = usEast.save(usEast.authenticate(usEast.create(), "grace", "us-east").edit()
                    .put("cart", "2 items"));
            List<String> euKeysBefore = Fixtures.sessionKeys(euRedis);

            topology.killRedis("us-east");

            for (RegionalSessionStore store : List.of(euWest, usEast)) {
                assertThatThrownBy(() -> store.load(inUs.id().value()))
                        .isInstanceOfSatisfying(RegionUnavailableException.class,
                                e -> assertThat(e.site()).isEqualTo("us-east"));
                assertThatThrownBy(() -> store.save(inUs.edit().put("cart", "3 items")))
                        .isInstanceOfSatisfying(RegionUnavailableException.class,
                                e -> assertThat(e.site()).isEqualTo("us-east"));
                assertThatThrownBy(() -> store.create("us-east"))
                        .isInstanceOf(RegionUnavailableException.class);
                assertThatThrownBy(() -> store.invalidate(inUs.id()))
                        .isInstanceOf(RegionUnavailableException.class);
            }
            assertThat(Fixtures.sessionKeys(euRedis)).as("nothing of us-east was written to eu-west")
                    .containsExactlyInAnyOrderElementsOf(euKeysBefore);
            assertThat(found(euWest.load(inEu.id().value())).userKey()).contains("frank");
            assertThat(found(usEast.load(inEu.id().value())).userKey()).contains("frank");
            euWest.save(inEu.edit().put("still", "working"));
            assertThat(usEast.create("eu-west").homeSite()).isEqualTo("eu-west");

            topology.startRedis("us-east");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> usEast.load(inUs.id().value()) instanceof SessionLookup.Found);
            assertThat(found(euWest.load(inUs.id().value())).attribute("cart"))
                    .as("the save acknowledged before the crash, not the ones refused during it").contains("2 items");
        } finally {
            euRedis.shutdown();
        }
    }

    @Test
    void revokedAndLoggedOutSessionsStayDeadAcrossAKillAndRestart() {
        Topology topology = TOPOLOGY.topology();
        MutableClock clock = MutableClock.ofNow();
        try (RegionalSessionStore usEast = RegionalSessionStore.start(Fixtures.config(topology, "us-east", clock)
                .build())) {
            Session revoked = usEast.authenticate(usEast.create(), "henry", "us-east");
            Session loggedOut = usEast.authenticate(usEast.create(), "ivy", "us-east");
            Session live = usEast.authenticate(usEast.create(), "judy", "us-east");
            assertThat(usEast.revokeUser("henry").complete()).isTrue();
            usEast.invalidate(loggedOut.id());

            topology.killRedis("us-east");
            topology.startRedis("us-east");

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> usEast.load(live.id().value()) instanceof SessionLookup.Found);
            assertThat(usEast.load(revoked.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
            assertThat(usEast.load(loggedOut.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));
            // Stale snapshots taken before the revocation cannot bring the session back either: a save hits the
            // tombstone, and a renewal (a copy under a new id) hits the user's revocation marker.
            assertThatThrownBy(() -> usEast.save(revoked.edit().put("back", "again")))
                    .isInstanceOfSatisfying(SessionGoneException.class,
                            e -> assertThat(e.reason()).isEqualTo(SessionLookup.Reason.REVOKED));
            assertThatThrownBy(() -> usEast.renewId(revoked)).isInstanceOf(SessionGoneException.class);
            assertThatThrownBy(() -> usEast.save(loggedOut.edit().put("back", "again")))
                    .isInstanceOf(SessionGoneException.class);
            assertThat(usEast.load(revoked.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
        }
    }
}
