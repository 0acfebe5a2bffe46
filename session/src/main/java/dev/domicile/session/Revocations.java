package dev.domicile.session;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.redisson.api.RTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global revocation. Revoking a user runs, in every site's Redis at once, one script that turns each of the user's
 * sessions there (found through the user's session index) into a revoked tombstone, raises a persistent marker
 * "sessions of this user authenticated at or before T are dead" (which refuses copies of revoked sessions made by a
 * concurrent renewal or re-homing), and announces the user on that site's revocation channel. The tombstones and the
 * marker are in the append-only file like the sessions themselves, so a Redis restart does not bring a session back.
 * The announcement lets each store drop its read-only copies and tell its {@link SessionListener}.
 *
 * <p>Thread-safe. {@link #subscribe()} once, {@link #close()} once.
 */
final class Revocations implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
    private static final Duration MARKER_MARGIN = Duration.ofMinutes(1);

    private final SessionStoreConfig config;
    private final Map<String, RegionClient> regions;
    private final ReadOnlyCopies copies;
    private RTopic topic;
    private int listenerId = -1;

    Revocations(SessionStoreConfig config, Map<String, RegionClient> regions, ReadOnlyCopies copies) {
        this.config = config;
        this.regions = regions;
        this.copies = copies;
    }

    /** Listens on the local site's channel. @throws RegionUnavailableException if the local Redis is down */
    void subscribe() {
        RegionClient local = regions.get(config.localSite());
        topic = local.revocations();
        try {
            listenerId = topic.addListener(String.class, (channel, userKey) -> received(userKey));
        } catch (RuntimeException e) {
            throw new RegionUnavailableException(local.site(), e);
        }
    }

    RevocationResult revoke(String userKey) {
        Instant revokedAt = config.clock().instant().plus(config.revocationClockSkew());
        String tag = SessionIds.tagFor(userKey);
        String marker = SessionIds.markerPrefix(tag) + userKey;
        String index = SessionIds.indexPrefix(tag) + userKey;
        String ttl = Long.toString(config.absoluteTimeout().plus(config.revocationClockSkew()).plus(MARKER_MARGIN)
                .toMillis());
        Map<String, CompletableFuture<?>> pending = new HashMap<>();
        regions.forEach((site, region) -> pending.put(site, region.evalAsync(Scripts.REVOKE, marker,
                SessionHash.millis(revokedAt), ttl, RegionClient.REVOCATION_CHANNEL, userKey, index)));
        Set<String> reached = new HashSet<>();
        Map<String, String> failed = new HashMap<>();
        pending.forEach((site, reply) -> {
            try {
                reply.join();
                reached.add(site);
            } catch (CompletionException e) {
                failed.put(site, String.valueOf(e.getCause().getMessage()));
            }
        });
        if (!failed.isEmpty()) {
            LOG.warn("revocation of a user's sessions did not reach {}; repeat it when they are back", failed.keySet());
        }
        return new RevocationResult(userKey, revokedAt, reached, failed);
    }

    private void received(String userKey) {
        copies.removeUser(userKey);
        try {
            config.listener().onUserRevoked(userKey);
        } catch (RuntimeException e) {
            LOG.warn("session listener failed on a revocation", e);
        }
    }

    @Override
    public void close() {
        if (topic != null && listenerId >= 0) {
            try {
                topic.removeListener(listenerId);
            } catch (RuntimeException e) {
                LOG.debug("could not unsubscribe from revocations", e);
            }
        }
    }
}
