package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import dev.domicile.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** Sessions seen from another site (REMOTE, FORWARD, LOCAL_READ_ONLY), re-homing, and forged ids that cost nothing. */
class CrossRegionTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0));

    private static final MutableClock CLOCK = MutableClock.ofNow();
    private static RegionalSessionStore euWest;
    private static RegionalSessionStore usEast;
    private static RedissonClient euRedis;
    private static RedissonClient usRedis;
    private static Link usToEu;

    @BeforeAll
    static void start() {
        Topology topology = TOPOLOGY.topology();
        euWest = RegionalSessionStore.start(Fixtures.config(topology, "eu-west", CLOCK).build());
        usEast = RegionalSessionStore.start(Fixtures.config(topology, "us-east", CLOCK).build());
        euRedis = Fixtures.raw(topology, "eu-west");
        usRedis = Fixtures.raw(topology, "us-east");
        usToEu = topology.redisLink("us-east", "eu-west");
    }

    @AfterEach
    void heal() {
        usToEu.heal();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {euWest, usEast}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        euRedis.shutdown();
        usRedis.shutdown();
    }

    @Test
    void forgedIdsNeverReachRedis() {
        Session genuine = euWest.create();
        String value = genuine.id().value();
        SessionIds foreign = new SessionIds(SessionKeyRing.of(Fixtures.NEXT_SECRET), Set.of("eu-west", "us-east",
                "mars"), CLOCK);
        char last = value.charAt(value.length() - 1);
        List<String> forged = List.of(
                value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A'),
                foreign.issue("eu-west").value(),
                foreign.issue("us-east").value(),
                foreign.issue("mars").value(),
                value.substring(0, 40),
                value + value,
                new String(new byte[] {0, 1, 2, (byte) 0xff}, StandardCharsets.ISO_8859_1));
        long euBefore = Fixtures.sessionCommands(euRedis);
        long usBefore = Fixtures.sessionCommands(usRedis);
        assertThat(euBefore).as("the create above was counted").isPositive();
        // Any Redis call for eu-west from us-east would now hang and fail instead of answering.
        usToEu.blackhole();

        for (int i = 0; i < 1_000; i++) {
            for (String id : forged) {
                assertThat(usEast.load(id)).isInstanceOf(SessionLookup.InvalidId.class);
            }
        }

        assertThat(Fixtures.sessionCommands(euRedis)).isEqualTo(euBefore);
        assertThat(Fixtures.sessionCommands(usRedis)).isEqualTo(usBefore);
        assertThat(usEast.rejectedIds().values().stream().mapToLong(Long::longValue).sum())
                .isGreaterThanOrEqualTo(7_000);
        assertThat(usEast.rejectedIds().get(IdRejection.BAD_SIGNATURE)).isGreaterThanOrEqualTo(3_000);
        assertThat(usEast.rejectedIds().get(IdRejection.UNKNOWN_SITE)).isGreaterThanOrEqualTo(1_000);
        assertThat(usEast.rejectedIds().get(IdRejection.MALFORMED)).isGreaterThanOrEqualTo(3_000);
    }

    @Test
    void remoteReadsAndWritesTheHomeCopyOverTheWan() {
        Session session = euWest.create();
        Session seenFromUs = found(usEast.load(session.id().value()));
        assertThat(seenFromUs.readOnly()).isFalse();

        usEast.save(seenFromUs.edit().put("written-in", "us-east"));

        assertThat(found(euWest.load(session.id().value())).attribute("written-in")).contains("us-east");
        assertThat(Fixtures.sessionKeys(usRedis)).doesNotContain(session.id().redisKey());
    }

    @Test
    void remoteFailsClosedWhenTheHomeSiteIsCutOff() {
        Session session = euWest.create();
        usToEu.blackhole();
        assertThatThrownBy(() -> usEast.load(session.id().value()))
                .isInstanceOfSatisfying(RegionUnavailableException.class,
                        e -> assertThat(e.site()).isEqualTo("eu-west"));
        assertThat(found(usEast.load(usEast.create().id().value())).homeSite()).isEqualTo("us-east");
        usToEu.heal();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> usEast.load(session.id().value()) instanceof SessionLookup.Found);
    }

    @Test
    void forwardNamesTheHomeSiteWithoutTouchingRedis() {
        try (RegionalSessionStore forwarding = RegionalSessionStore.start(Fixtures.config(TOPOLOGY.topology(),
                "us-east", CLOCK).crossRegionPolicy(CrossRegionPolicy.FORWARD).build())) {
            Session session = euWest.create();
            usToEu.blackhole();
            SessionLookup lookup = forwarding.load(session.id().value());
            assertThat(lookup).isEqualTo(new SessionLookup.Forward("eu-west", session.id()));
        }
    }

    @Test
    void localReadOnlyCopiesAreServedWithinTheirStalenessBoundOnly() {
        try (RegionalSessionStore readOnly = RegionalSessionStore.start(Fixtures.config(TOPOLOGY.topology(),
                "us-east", CLOCK).crossRegionPolicy(CrossRegionPolicy.LOCAL_READ_ONLY)
                .readOnlyStaleness(Duration.ofSeconds(2)).build())) {
            Session session = euWest.create();
            euWest.save(session.edit().put("lang", "fr"));

            Session copy = found(readOnly.load(session.id().value()));
            assertThat(copy.readOnly()).isTrue();
            assertThat(copy.attribute("lang")).contains("fr");
            assertThatThrownBy(copy::edit).isInstanceOf(ReadOnlySessionException.class);

            usToEu.blackhole();
            CLOCK.advance(Duration.ofMillis(1_500));
            assertThat(found(readOnly.load(session.id().value())).attribute("lang")).contains("fr");
            CLOCK.advance(Duration.ofMillis(500));
            assertThatThrownBy(() -> readOnly.load(session.id().value()))
                    .isInstanceOf(RegionUnavailableException.class);
        }
    }

    @Test
    void rehomingMovesTheSessionAndLeavesAForwardingPointer() {
        Session login = euWest.authenticate(euWest.create(), "user-move", "eu-west");
        Session session = euWest.save(login.edit().put("cart", "3 items").causalToken("eu-west", "0/AB"));

        Session moved = euWest.rehome(session, "us-east");

        assertThat(moved.homeSite()).isEqualTo("us-east");
        assertThat(moved.userKey()).contains("user-move");
        assertThat(usRedis.getKeys().countExists(moved.id().redisKey())).isEqualTo(1);
        assertThat(euRedis.<String, String>getMap(session.id().redisKey()).readAllMap())
                .containsOnlyKeys("_m");
        for (RegionalSessionStore store : List.of(euWest, usEast)) {
            Session followed = found(store.load(session.id().value()));
            assertThat(followed.id()).isEqualTo(moved.id());
            assertThat(followed.attribute("cart")).contains("3 items");
            assertThat(followed.causalTokens().position("eu-west")).contains("0/AB");
        }
        assertThatThrownBy(() -> euWest.save(session.edit().put("late", "write")))
                .isInstanceOfSatisfying(SessionGoneException.class,
                        e -> assertThat(e.reason()).isEqualTo(SessionLookup.Reason.MOVED));
    }

    @Test
    void rehomingLosesNoAcknowledgedConcurrentWrite() throws Exception {
        Session session = euWest.create();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger saves = new AtomicInteger();
        CompletableFuture<SessionLookup.Reason> writer = CompletableFuture.supplyAsync(() -> {
            for (int i = 0; i < 1_000_000; i++) {
                String key = "k" + (i % 50);
                try {
                    euWest.save(session.edit().put(key, "v" + i));
                } catch (SessionGoneException e) {
                    return e.reason();
                }
                acknowledged.put(key, "v" + i);
                saves.incrementAndGet();
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> saves.get() >= 20);

        Session moved = euWest.rehome(session, "us-east");

        assertThat(writer.get(30, TimeUnit.SECONDS)).isEqualTo(SessionLookup.Reason.MOVED);
        System.out.println("re-homing raced with a writer that had " + saves.get() + " acknowledged saves");
        assertThat(found(usEast.load(moved.id().value())).attributes()).containsAllEntriesOf(acknowledged);
    }
}
