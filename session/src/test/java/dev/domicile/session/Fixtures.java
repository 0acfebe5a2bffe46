package dev.domicile.session;

import dev.domicile.testkit.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** Builds stores on a test topology and inspects each site's Redis directly. */
final class Fixtures {

    static final byte[] SECRET = "domicile-test-secret-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEXT_SECRET = "domicile-test-secret-rotated-987654321".getBytes(StandardCharsets.US_ASCII);

    private Fixtures() {
    }

    /**
     * A config for a store in {@code localSite}: its own Redis directly, every other site's through the fault proxy
     * of the link from {@code localSite}.
     */
    static SessionStoreConfig.Builder config(Topology topology, String localSite, Clock clock) {
        SessionStoreConfig.Builder builder = SessionStoreConfig.builder(localSite, SessionKeyRing.of(SECRET))
                .clock(clock);
        for (String site : topology.sites()) {
            String address = site.equals(localSite) ? topology.redis(site).uri() : topology.redisUri(localSite, site);
            builder.region(RegionConfig.single(site, address).build());
        }
        return builder;
    }

    /** A plain Redisson client straight to {@code site}'s Redis, for looking at what is stored. */
    static RedissonClient raw(Topology topology, String site) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setNettyThreads(2);
        config.useSingleServer().setAddress(topology.redis(site).uri()).setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(2).setSubscriptionConnectionMinimumIdleSize(0);
        return Redisson.create(config);
    }

    /** Every session key (live or tombstone) in {@code redis}. */
    static List<String> sessionKeys(RedissonClient redis) {
        List<String> keys = new ArrayList<>();
        redis.getKeys().getKeys(KeysScanOptions.defaults().pattern("dom:s:*")).forEach(keys::add);
        return keys;
    }

    /** How many scripts {@code redis} has run since it started (INFO commandstats). */
    static long scriptCalls(RedissonClient redis) {
        Map<String, String> stats = redis.getRedisNodes(RedisNodes.SINGLE).getInstance()
                .info(RedisNode.InfoSection.COMMANDSTATS);
        long calls = 0;
        for (String command : List.of("cmdstat_eval", "cmdstat_evalsha")) {
            String line = stats.get(command);
            if (line != null) {
                calls += Long.parseLong(line.replaceAll("^calls=(\\d+),.*$", "$1"));
            }
        }
        return calls;
    }

    /** How many session-touching commands {@code redis} has executed since it started (INFO commandstats). */
    static long sessionCommands(RedissonClient redis) {
        Map<String, String> stats = redis.getRedisNodes(RedisNodes.SINGLE).getInstance()
                .info(RedisNode.InfoSection.COMMANDSTATS);
        long calls = 0;
        for (String command : List.of("cmdstat_eval", "cmdstat_evalsha", "cmdstat_hgetall", "cmdstat_hset",
                "cmdstat_del", "cmdstat_exists")) {
            String line = stats.get(command);
            if (line != null) {
                calls += Long.parseLong(line.replaceAll("^calls=(\\d+),.*$", "$1"));
            }
        }
        return calls;
    }
}
