package dev.domicile.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import dev.domicile.testkit.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** One session store per site on a real Redis per site: placement, forgery, contents, renewal, logout, key rotation. */
class SessionStoreTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0));

    private static final MutableClock CLOCK = MutableClock.ofNow();
    private static RegionalSessionStore euWest;
    private static RedissonClient euRedis;
    private static RedissonClient usRedis;

    @BeforeAll
    static void start() {
        Topology topology = TOPOLOGY.topology();
        euWest = RegionalSessionStore.start(Fixtures.config(topology, "eu-west", CLOCK).build());
        euRedis = Fixtures.raw(topology, "eu-west");
        usRedis = Fixtures.raw(topology, "us-east");
    }

    @AfterAll
    static void stop() {
        if (euWest != null) {
            euWest.close();
        }
        if (euRedis != null) {
            euRedis.shutdown();
        }
        if (usRedis != null) {
            usRedis.shutdown();
        }
    }

    @Test
    void aSessionCreatedInASiteIsStoredOnlyThere() {
        long usKeysBefore = Fixtures.sessionKeys(usRedis).size();
        Session session = euWest.create();

        assertThat(session.homeSite()).isEqualTo("eu-west");
        assertThat(euRedis.getKeys().countExists(session.id().redisKey())).isEqualTo(1);
        assertThat(Fixtures.sessionKeys(usRedis)).hasSize((int) usKeysBefore)
                .doesNotContain(session.id().redisKey());

        Session remote = euWest.create("us-east");
        assertThat(usRedis.getKeys().countExists(remote.id().redisKey())).isEqualTo(1);
        assertThat(euRedis.getKeys().countExists(remote.id().redisKey())).isZero();
    }

    @Test
    void attributesCausalTokensAndUserSurviveTheRoundTrip() {
        Session session = euWest.authenticate(euWest.create(), "user-7", "eu-west");
        Session saved = euWest.save(session.edit().put("cart", "{\"items\":[1,2]}").put("ünï", "çødé")
                .causalToken("eu-west", "0/16B3748").causalToken("us-east", "0/0"));

        Session loaded = found(euWest.load(saved.id().value()));
        assertThat(loaded.attributes()).isEqualTo(Map.of("cart", "{\"items\":[1,2]}", "ünï", "çødé"));
        assertThat(loaded.causalTokens().positions()).isEqualTo(Map.of("eu-west", "0/16B3748", "us-east", "0/0"));
        assertThat(loaded.userKey()).contains("user-7");
        assertThat(loaded.homePartition()).contains("eu-west");

        Session removed = euWest.save(loaded.edit().remove("cart"));
        assertThat(found(euWest.load(removed.id().value())).attributes()).containsOnlyKeys("ünï");
    }

    @Test
    void editsOfDifferentAttributesDoNotOverwriteEachOther() {
        Session session = euWest.create();
        euWest.save(session.edit().put("a", "1"));
        euWest.save(session.edit().put("b", "2"));
        assertThat(found(euWest.load(session.id().value())).attributes()).isEqualTo(Map.of("a", "1", "b", "2"));
    }

    @Test
    void oversizedAttributesFailClearlyAndWriteNothing() {
        Session session = euWest.create();
        assertThatThrownBy(() -> session.edit().put("big", "x".repeat(AttributeLimits.DEFAULT.maxValueBytes() + 1)))
                .isInstanceOf(AttributeLimitException.class)
                .hasMessageContaining("'big'").hasMessageContaining("max-value-bytes");
        SessionEdit tooMany = session.edit();
        for (int i = 0; i <= AttributeLimits.DEFAULT.maxAttributes(); i++) {
            tooMany.put("k" + i, "v");
        }
        assertThatThrownBy(() -> euWest.save(tooMany)).isInstanceOf(AttributeLimitException.class)
                .hasMessageContaining("max-attributes");
        SessionEdit tooLarge = session.edit();
        for (int i = 0; i < 5; i++) {
            tooLarge.put("k" + i, "x".repeat(AttributeLimits.DEFAULT.maxValueBytes()));
        }
        assertThatThrownBy(() -> euWest.save(tooLarge)).isInstanceOf(AttributeLimitException.class)
                .hasMessageContaining("max-total-bytes");
        assertThat(found(euWest.load(session.id().value())).attributes()).isEmpty();
    }

    @Test
    void loginAndPrivilegeChangeIssueANewIdAndKillTheOldOneAtOnce() {
        Session anonymous = euWest.create();
        euWest.save(anonymous.edit().put("theme", "dark"));

        Session loggedIn = euWest.authenticate(anonymous, "user-1", "eu-west");
        assertThat(loggedIn.id()).isNotEqualTo(anonymous.id());
        assertThat(euWest.load(anonymous.id().value()))
                .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));
        assertThat(found(euWest.load(loggedIn.id().value())).attribute("theme")).contains("dark");
        assertThatThrownBy(() -> euWest.save(anonymous.edit().put("x", "y")))
                .isInstanceOfSatisfying(SessionGoneException.class,
                        e -> assertThat(e.reason()).isEqualTo(SessionLookup.Reason.NOT_FOUND));

        Session elevated = euWest.renewId(loggedIn);
        assertThat(euWest.load(loggedIn.id().value()))
                .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));
        Session reloaded = found(euWest.load(elevated.id().value()));
        assertThat(reloaded.userKey()).contains("user-1");
        assertThat(reloaded.createdAt()).isEqualTo(loggedIn.createdAt());
    }

    @Test
    void logoutInvalidatesOnTheServer() {
        Session session = euWest.authenticate(euWest.create(), "user-2", null);
        euWest.invalidate(session.id());
        assertThat(euWest.load(session.id().value()))
                .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));
        assertThat(euRedis.getKeys().countExists(session.id().redisKey())).isZero();
    }

    @Test
    void keyRotationKeepsOldIdsDuringTheGracePeriodOnly() {
        Session before = euWest.create();
        SessionKeyRing rotated = euWest.config().keys().rotate(Fixtures.NEXT_SECRET,
                CLOCK.instant().plus(Duration.ofMinutes(5)));
        try {
            euWest.rotateKeys(rotated);
            Session after = euWest.create();
            assertThat(euWest.load(before.id().value())).isInstanceOf(SessionLookup.Found.class);
            assertThat(euWest.load(after.id().value())).isInstanceOf(SessionLookup.Found.class);

            CLOCK.advance(Duration.ofMinutes(5));
            assertThat(euWest.load(before.id().value()))
                    .isEqualTo(new SessionLookup.InvalidId(IdRejection.BAD_SIGNATURE));
            assertThat(euWest.load(after.id().value())).isInstanceOf(SessionLookup.Found.class);
        } finally {
            euWest.rotateKeys(SessionKeyRing.of(Fixtures.SECRET));
        }
    }

    static Session found(SessionLookup lookup) {
        assertThat(lookup).isInstanceOf(SessionLookup.Found.class);
        return ((SessionLookup.Found) lookup).session();
    }
}
