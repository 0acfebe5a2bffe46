package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.testkit.RedisClusterGroup;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisClusterMaster;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;

/**
 * A region configured as a Redis Cluster of three masters: sessions of different users spread over the masters, and
 * every script (save, login, renewal, revocation with its per-user marker and index) runs, because a session's keys
 * and its user's marker and index share one hash tag, hence one slot.
 */
class ClusterRegionTest {

    @Test
    void sessionsWorkOnARedisCluster() {
        try (RedisClusterGroup cluster = RedisClusterGroup.start(3);
             RegionalSessionStore store = RegionalSessionStore.start(SessionStoreConfig.builder("eu-west",
                             SessionKeyRing.of(Fixtures.SECRET)).clock(Clock.systemUTC())
                     .region(RegionConfig.cluster("eu-west", cluster.seedUris()).build())
                     .build())) {
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Session session = store.authenticate(store.create(), "user-" + i, "eu-west");
                sessions.add(store.save(session.edit().put("n", Integer.toString(i))
                        .causalToken("eu-west", "0/" + i)));
            }
            Session renewed = store.renewId(sessions.getFirst());
            sessions.set(0, renewed);
            for (int i = 0; i < sessions.size(); i++) {
                Session loaded = found(store.load(sessions.get(i).id().value()));
                assertThat(loaded.attribute("n")).contains(Integer.toString(i));
                assertThat(loaded.userKey()).contains("user-" + i);
            }

            RedissonClient inspector = clusterClient(cluster.seedUris());
            try {
                long mastersWithKeys = inspector.getRedisNodes(RedisNodes.CLUSTER).getMasters().stream()
                        .map(ClusterRegionTest::keyCount).filter(count -> count > 0).count();
                assertThat(mastersWithKeys).as("sessions of different users live on different masters")
                        .isGreaterThanOrEqualTo(2);
            } finally {
                inspector.shutdown();
            }

            for (int i = 0; i < sessions.size(); i++) {
                assertThat(store.revokeUser("user-" + i).complete()).isTrue();
                assertThat(store.load(sessions.get(i).id().value()))
                        .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
            }
            Session anonymous = store.save(store.create().edit().put("theme", "dark"));
            assertThat(found(store.load(anonymous.id().value())).attribute("theme")).contains("dark");
        }
    }

    private static long keyCount(RedisClusterMaster master) {
        Map<String, String> keyspace = master.info(RedisNode.InfoSection.KEYSPACE);
        String db0 = keyspace.get("db0");
        return db0 == null ? 0 : Long.parseLong(db0.replaceAll("^keys=(\\d+),.*$", "$1"));
    }

    private static RedissonClient clusterClient(List<String> seeds) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setNettyThreads(2);
        ClusterServersConfig cluster = config.useClusterServers();
        seeds.forEach(cluster::addNodeAddress);
        cluster.setMasterConnectionMinimumIdleSize(1).setMasterConnectionPoolSize(2)
                .setSubscriptionConnectionMinimumIdleSize(0);
        return Redisson.create(config);
    }
}
