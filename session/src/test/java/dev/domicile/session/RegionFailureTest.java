package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import dev.domicile.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** A stopped Redis makes its own site's sessions unavailable, with a typed error, and nothing else. */
class RegionFailureTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0));

    @Test
    void aStoppedRedisAffectsOnlyItsOwnSite() {
        Topology topology = TOPOLOGY.topology();
        MutableClock clock = MutableClock.ofNow();
        RedissonClient euRedis = Fixtures.raw(topology, "eu-west");
        try (RegionalSessionStore euWest = RegionalSessionStore.start(Fixtures.config(topology, "eu-west", clock)
                .build());
             RegionalSessionStore usEast = RegionalSessionStore.start(Fixtures.config(topology, "us-east", clock)
                     .build())) {
            Session inEu = euWest.authenticate(euWest.create(), "dave", "eu-west");
            Session inUs = usEast.authenticate(usEast.create(), "erin", "us-east");

            topology.stopRedis("us-east");
            List<String> euKeysBefore = Fixtures.sessionKeys(euRedis);

            for (RegionalSessionStore store : List.of(euWest, usEast)) {
                assertThatThrownBy(() -> store.load(inUs.id().value()))
                        .isInstanceOfSatisfying(RegionUnavailableException.class,
                                e -> assertThat(e.site()).isEqualTo("us-east"));
                assertThatThrownBy(() -> store.save(inUs.edit().put("a", "b")))
                        .isInstanceOf(RegionUnavailableException.class);
                assertThatThrownBy(() -> store.create("us-east")).isInstanceOf(RegionUnavailableException.class);
            }
            assertThat(Fixtures.sessionKeys(euRedis)).as("nothing of us-east was written to eu-west")
                    .containsExactlyInAnyOrderElementsOf(euKeysBefore);

            assertThat(found(euWest.load(inEu.id().value())).userKey()).contains("dave");
            assertThat(found(usEast.load(inEu.id().value())).userKey()).contains("dave");
            euWest.save(inEu.edit().put("still", "working"));
            assertThat(euWest.create().homeSite()).isEqualTo("eu-west");

            RevocationResult partial = euWest.revokeUser("erin");
            assertThat(partial.reached()).containsExactly("eu-west");
            assertThat(partial.failed()).containsOnlyKeys("us-east");

            topology.startRedis("us-east");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> usEast.load(inUs.id().value()) instanceof SessionLookup.Found);
            assertThat(euWest.revokeUser("erin").complete()).isTrue();
            assertThat(usEast.load(inUs.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
        } finally {
            euRedis.shutdown();
        }
    }
}
