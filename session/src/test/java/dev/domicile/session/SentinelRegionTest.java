package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.RedisNode;
import dev.domicile.testkit.RedisSentinelGroup;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * A region configured through Sentinel (a master, a replica, three Sentinels on loopback): sessions work, and after a
 * Sentinel failover the sessions written before it are readable, revocations and logouts before it still hold, and
 * new sessions are saved on the new master.
 */
class SentinelRegionTest {

    @Test
    void sessionsSurviveASentinelFailover() {
        try (RedisSentinelGroup group = RedisSentinelGroup.start("sessions-eu-west", 1, 3);
             RegionalSessionStore store = RegionalSessionStore.start(SessionStoreConfig.builder("eu-west",
                             SessionKeyRing.of(Fixtures.SECRET)).clock(Clock.systemUTC())
                     .region(RegionConfig.sentinel("eu-west", group.masterName(), group.sentinelUris()).build())
                     .build())) {
            Session before = store.save(store.authenticate(store.create(), "kim", "eu-west").edit()
                    .put("cart", "1 item").causalToken("eu-west", "0/16B3748"));
            Session revoked = store.authenticate(store.create(), "leo", "eu-west");
            assertThat(store.revokeUser("leo").complete()).isTrue();
            Session loggedOut = store.authenticate(store.create(), "mia", "eu-west");
            store.invalidate(loggedOut.id());
            assertThat(found(store.load(before.id().value())).attribute("cart")).contains("1 item");
            // Replication is asynchronous: only what the replica has is kept by a failover (see the README).
            group.awaitReplicasInSync();
            RedisNode oldMaster = group.master();

            RedisNode newMaster = group.failover();

            assertThat(newMaster).isNotEqualTo(oldMaster);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.save(before.edit()
                    .put("cart", "2 items")) != null);
            Session loaded = found(store.load(before.id().value()));
            assertThat(loaded.attribute("cart")).contains("2 items");
            assertThat(loaded.causalTokens().position("eu-west")).contains("0/16B3748");
            assertThat(loaded.userKey()).contains("kim");
            assertThat(store.load(revoked.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
            assertThat(store.load(loggedOut.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));

            Session after = store.save(store.authenticate(store.create(), "ned", "eu-west").edit()
                    .put("cart", "3 items"));
            assertThat(found(store.load(after.id().value())).attribute("cart")).contains("3 items");
            RedissonClient onNewMaster = raw(newMaster);
            try {
                assertThat(onNewMaster.getKeys().countExists(after.id().redisKey(), before.id().redisKey()))
                        .as("both sessions are on the new master").isEqualTo(2);
            } finally {
                onNewMaster.shutdown();
            }
            assertThat(store.revokeUser("ned").complete()).isTrue();
            assertThat(store.load(after.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
        }
    }

    private static RedissonClient raw(RedisNode node) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setNettyThreads(2);
        config.useSingleServer().setAddress(node.uri()).setConnectionMinimumIdleSize(1).setConnectionPoolSize(2)
                .setSubscriptionConnectionMinimumIdleSize(0);
        return Redisson.create(config);
    }
}
