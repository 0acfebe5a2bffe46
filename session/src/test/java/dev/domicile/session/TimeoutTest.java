package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.TopologyExtension;
import dev.domicile.testkit.MutableClock;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** OWASP timeouts: checked with the store's clock on every access, and enforced by Redis itself through TTLs. */
class TimeoutTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").replicasPerSite(0));

    private static final Duration IDLE = Duration.ofMinutes(10);
    private static final Duration ABSOLUTE = Duration.ofHours(1);
    private static final MutableClock CLOCK = MutableClock.ofNow();
    private static RegionalSessionStore store;
    private static RedissonClient redis;

    @BeforeAll
    static void start() {
        store = RegionalSessionStore.start(Fixtures.config(TOPOLOGY.topology(), "eu-west", CLOCK)
                .idleTimeout(IDLE).absoluteTimeout(ABSOLUTE).build());
        redis = Fixtures.raw(TOPOLOGY.topology(), "eu-west");
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.shutdown();
        }
    }

    @Test
    void anIdleSessionIsGone() {
        Session session = store.create();
        CLOCK.advance(IDLE.minusSeconds(1));
        assertThat(store.load(session.id().value())).isInstanceOf(SessionLookup.Found.class);
        CLOCK.advance(IDLE);
        assertThat(store.load(session.id().value()))
                .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.IDLE_TIMEOUT));
        assertThat(redis.getKeys().countExists(session.id().redisKey())).isZero();
    }

    @Test
    void loadsRecordAUseOnlyOncePerHundredthOfTheIdleTimeout() {
        Session session = store.create();
        long scripts = Fixtures.scriptCalls(redis);
        for (int i = 0; i < 10; i++) {
            CLOCK.advance(IDLE.dividedBy(200));
            found(store.load(session.id().value()));
        }
        // 10 loads over 5% of the idle timeout: at most 5 of them recorded a use, at least 4.
        assertThat(Fixtures.scriptCalls(redis) - scripts).isBetween(4L, 5L);
        Session loaded = found(store.load(session.id().value()));
        assertThat(loaded.lastAccessedAt()).isAfter(CLOCK.instant().minus(IDLE.dividedBy(100)));
    }

    @Test
    void anActiveSessionStillEndsAtItsAbsoluteTimeout() {
        Session session = store.create();
        for (int i = 0; i < 6; i++) {
            CLOCK.advance(Duration.ofMinutes(9));
            found(store.load(session.id().value()));
        }
        CLOCK.advance(Duration.ofMinutes(9));
        assertThat(store.load(session.id().value()))
                .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.ABSOLUTE_TIMEOUT));
    }

    @Test
    void aSaveAfterTheIdleTimeoutIsRefused() {
        Session session = store.create();
        CLOCK.advance(IDLE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.save(session.edit().put("a", "b")))
                .isInstanceOfSatisfying(SessionGoneException.class,
                        e -> assertThat(e.reason()).isEqualTo(SessionLookup.Reason.IDLE_TIMEOUT));
    }

    @Test
    void redisExpiresSessionsOnItsOwnAtTheEarlierOfBothTimeouts() {
        Session session = store.create();
        long ttl = redis.getKeys().remainTimeToLive(session.id().redisKey());
        assertThat(ttl).isBetween(IDLE.minusSeconds(30).toMillis(), IDLE.toMillis());

        for (int i = 0; i < 6; i++) {
            CLOCK.advance(Duration.ofMinutes(9));
            found(store.load(session.id().value()));
        }
        // 54 minutes old: 6 minutes of absolute lifetime left, less than the idle timeout.
        ttl = redis.getKeys().remainTimeToLive(session.id().redisKey());
        assertThat(ttl).isBetween(Duration.ofMinutes(5).toMillis(), Duration.ofMinutes(6).toMillis());
    }

    @Test
    void anUntouchedSessionDisappearsFromRedisWithoutAnyLoad() {
        try (RegionalSessionStore shortLived = RegionalSessionStore.start(
                Fixtures.config(TOPOLOGY.topology(), "eu-west", Clock.systemUTC())
                        .idleTimeout(Duration.ofSeconds(1)).readOnlyStaleness(Duration.ofMillis(500)).build())) {
            Session session = shortLived.create();
            assertThat(redis.getKeys().countExists(session.id().redisKey())).isEqualTo(1);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> redis.getKeys().countExists(session.id().redisKey()) == 0);
        }
    }
}
