package dev.domicile.session;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.RedissonShutdownException;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * The Redisson client of one site. Every call either returns Redis's answer or throws
 * {@link RegionUnavailableException} naming the site; nothing is retried here beyond the configured attempts.
 *
 * <p>Thread-safe. Connections are opened lazily, so a site whose Redis is down does not stop the store from starting.
 */
final class RegionClient implements AutoCloseable {

    /** The channel on which each site's Redis announces revoked users. */
    static final String REVOCATION_CHANNEL = "dom:revocations";

    private final String site;
    private final RedissonClient client;
    private final RScript script;

    private RegionClient(String site, RedissonClient client) {
        this.site = site;
        this.client = client;
        this.script = client.getScript(StringCodec.INSTANCE);
    }

    static RegionClient connect(RegionConfig config) {
        return new RegionClient(config.site(), Redisson.create(RedissonConfigs.toRedisson(config)));
    }

    String site() {
        return site;
    }

    /** Runs {@code lua} against {@code key}'s node; the reply is the script's table, as strings and longs. */
    List<Object> eval(String lua, String key, Object... args) {
        try {
            return script.eval(key, RScript.Mode.READ_WRITE, lua, RScript.ReturnType.LIST, List.of(key), args);
        } catch (RedissonShutdownException e) {
            throw new IllegalStateException("the session store is closed", e);
        } catch (RedisException e) {
            throw new RegionUnavailableException(site, e);
        }
    }

    /** The whole hash at {@code key} (empty if absent): one {@code HGETALL}, no script. */
    Map<String, String> readAll(String key) {
        try {
            return client.<String, String>getMap(key, StringCodec.INSTANCE).readAllMap();
        } catch (RedissonShutdownException e) {
            throw new IllegalStateException("the session store is closed", e);
        } catch (RedisException e) {
            throw new RegionUnavailableException(site, e);
        }
    }

    /** As {@link #eval}, without waiting; the future fails with {@link RegionUnavailableException}. */
    CompletableFuture<List<Object>> evalAsync(String lua, String key, Object... args) {
        CompletableFuture<List<Object>> reply = script.<List<Object>>evalAsync(key, RScript.Mode.READ_WRITE, lua,
                RScript.ReturnType.LIST, List.of(key), args).toCompletableFuture();
        return reply.handle((values, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                throw new RegionUnavailableException(site, cause);
            }
            return values;
        });
    }

    /** The revocation channel of this site. */
    RTopic revocations() {
        return client.getTopic(REVOCATION_CHANNEL, StringCodec.INSTANCE);
    }

    RedissonClient redisson() {
        return client;
    }

    @Override
    public void close() {
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
