package dev.domicile.session;

import java.net.MalformedURLException;
import java.time.Duration;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SslVerificationMode;

/**
 * Turns a {@link RegionConfig} into a Redisson {@link Config}: string codec only, reads from masters only; for
 * {@code rediss://}, the region's trust store (if set) and strict verification (certificate chain and host name).
 */
final class RedissonConfigs {

    private RedissonConfigs() {
    }

    static Config toRedisson(RegionConfig region) {
        Config config = new Config();
        // Strings only: nothing read from Redis is ever deserialized into arbitrary classes.
        config.setCodec(StringCodec.INSTANCE);
        config.setUseScriptCache(true);
        config.setLazyInitialization(true);
        config.setNettyThreads(region.nettyThreads());
        config.setThreads(2);
        config.setUsername(region.username());
        config.setPassword(region.password());
        tls(config, region);
        switch (region.mode()) {
            case SINGLE -> common(config.useSingleServer()
                    .setAddress(region.addresses().getFirst())
                    .setConnectionMinimumIdleSize(1)
                    .setConnectionPoolSize(region.connectionPoolSize())
                    .setSubscriptionConnectionMinimumIdleSize(1)
                    .setSubscriptionConnectionPoolSize(4), region);
            case SENTINEL -> {
                SentinelServersConfig sentinel = config.useSentinelServers().setMasterName(region.masterName());
                region.addresses().forEach(sentinel::addSentinelAddress);
                // Sessions are read from the master only: a replica may not yet have a logout or revocation.
                sentinel.setReadMode(ReadMode.MASTER)
                        .setMasterConnectionMinimumIdleSize(1)
                        .setMasterConnectionPoolSize(region.connectionPoolSize());
                common(sentinel, region);
            }
            case CLUSTER -> {
                ClusterServersConfig cluster = config.useClusterServers();
                region.addresses().forEach(cluster::addNodeAddress);
                cluster.setReadMode(ReadMode.MASTER)
                        .setMasterConnectionMinimumIdleSize(1)
                        .setMasterConnectionPoolSize(region.connectionPoolSize());
                common(cluster, region);
            }
        }
        return config;
    }

    private static <T extends BaseConfig<T>> void common(T config, RegionConfig region) {
        config.setClientName("domicile-session-" + region.site())
                .setConnectTimeout(millis(region.connectTimeout()))
                .setTimeout(millis(region.commandTimeout()))
                .setRetryAttempts(region.retryAttempts())
                .setRetryDelay(new ConstantDelay(Duration.ofMillis(100)));
    }

    private static void tls(Config config, RegionConfig region) {
        // STRICT is Redisson's default; set anyway: NONE without a trust store would trust any certificate.
        config.setSslVerificationMode(SslVerificationMode.STRICT);
        if (region.trustStore() != null) {
            try {
                config.setSslTruststore(region.trustStore().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("domicile.session.regions." + region.site() + ".trust-store = "
                        + region.trustStore() + ": not a file URL", e);
            }
            config.setSslTruststorePassword(region.trustStorePassword());
        }
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
