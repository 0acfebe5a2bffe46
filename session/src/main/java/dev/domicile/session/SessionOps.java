package dev.domicile.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Redis round trip per session operation, against the Redis of the session's home site and no other.
 * Thread-safe.
 */
final class SessionOps {

    private static final Duration INDEX_MARGIN = Duration.ofMinutes(1);

    private final Map<String, RegionClient> regions;
    private final String idleMillis;
    private final String absoluteMillis;
    private final String indexMillis;
    private final Duration idleTimeout;
    private final Duration absoluteTimeout;
    private final Duration touchInterval;

    SessionOps(SessionStoreConfig config, Map<String, RegionClient> regions) {
        this.regions = regions;
        this.idleTimeout = config.idleTimeout();
        this.absoluteTimeout = config.absoluteTimeout();
        this.idleMillis = Long.toString(idleTimeout.toMillis());
        this.absoluteMillis = Long.toString(absoluteTimeout.toMillis());
        this.indexMillis = Long.toString(absoluteTimeout.plus(INDEX_MARGIN).toMillis());
        this.touchInterval = Duration.ofMillis(Math.max(1, idleTimeout.toMillis() / 100));
    }

    /** The session's hash as stored (empty if there is none): one {@code HGETALL}. */
    Map<String, String> read(SessionId id) {
        return regions.get(id.site()).readAll(id.redisKey());
    }

    /** Records a use of the session now. */
    Reply touch(SessionId id, Instant now) {
        return run(id, Scripts.TOUCH, common(now));
    }

    Reply save(SessionId id, SessionEdit edit, Instant now) {
        List<String> args = common(now);
        args.addAll(SessionHash.saveArguments(edit));
        return run(id, Scripts.SAVE, args);
    }

    /** Reads and deletes the session: once this returns {@link Reply.Ok}, the id is dead. */
    Reply take(SessionId id, Instant now) {
        return run(id, Scripts.TAKE, common(now));
    }

    /** Freezes the session for re-homing to {@code newId} until {@code until}, returning its contents. */
    Reply freeze(SessionId id, SessionId newId, Instant now, Instant until) {
        List<String> args = common(now);
        args.add(newId.value());
        args.add(SessionHash.millis(until));
        return run(id, Scripts.FREEZE, args);
    }

    /**
     * Writes a whole session under {@code id}.
     *
     * @param authenticated the authentication time (ignored for an anonymous session)
     * @param userKey       the user, or null for an anonymous session (then no marker or index is involved)
     * @param copy          true to keep {@code authenticated} and refuse if it is revoked; false for a fresh login
     */
    Reply create(SessionId id, Map<String, String> fields, Instant authenticated, String userKey, boolean copy,
                 Duration ttl) {
        List<String> args = new ArrayList<>();
        args.add(SessionHash.millis(authenticated));
        args.add(Long.toString(Math.max(1, ttl.toMillis())));
        args.add(userKey == null ? "" : id.markerPrefix() + userKey);
        args.add(copy ? "copy" : "fresh");
        args.add(userKey == null ? "" : id.indexPrefix() + userKey);
        args.add(indexMillis);
        args.addAll(SessionHash.encode(fields));
        return run(id, Scripts.CREATE, args);
    }

    Reply tombstone(SessionId id, SessionId newId, Instant now) {
        return run(id, Scripts.TOMBSTONE, List.of(newId.value(), SessionHash.millis(now)));
    }

    void thaw(SessionId id, SessionId newId) {
        run(id, Scripts.THAW, List.of(newId.value()));
    }

    void delete(SessionId id) {
        run(id, Scripts.DELETE, List.of());
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    Duration absoluteTimeout() {
        return absoluteTimeout;
    }

    /**
     * How old a recorded use may get before a load records a new one: 1% of the idle timeout (at least 1 ms), so the
     * idle timeout holds to within 1% while most loads write nothing to Redis.
     */
    Duration touchInterval() {
        return touchInterval;
    }

    /** How long a session created at {@code created} may still live if used at {@code now}. */
    Duration ttl(Instant created, Instant now) {
        Duration left = Duration.between(now, created.plus(absoluteTimeout));
        return left.compareTo(idleTimeout) < 0 ? left : idleTimeout;
    }

    private List<String> common(Instant now) {
        List<String> args = new ArrayList<>(8);
        args.add(SessionHash.millis(now));
        args.add(idleMillis);
        args.add(absoluteMillis);
        return args;
    }

    private Reply run(SessionId id, String script, List<String> args) {
        RegionClient region = regions.get(id.site());
        return Reply.of(region.eval(script, id.redisKey(), args.toArray()));
    }
}
