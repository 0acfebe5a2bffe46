package dev.domicile.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Operations that give a session a new id: renewal on login or privilege change (against session fixation: the old
 * id is deleted in the same atomic step that reads it) and re-homing to another site (freeze the old session so that
 * writes to it are refused rather than lost, copy it, then replace it by a forwarding pointer). Thread-safe.
 */
final class SessionMoves {

    /** How long a re-homing may hold the old session frozen; writes to it are refused meanwhile. */
    private static final Duration FREEZE = Duration.ofSeconds(10);

    private final SessionStoreConfig config;
    private final SessionOps ops;
    private final Supplier<SessionIds> ids;

    SessionMoves(SessionStoreConfig config, SessionOps ops, Supplier<SessionIds> ids) {
        this.config = config;
        this.ops = ops;
        this.ids = ids;
    }

    Session authenticate(Session session, String userKey, String homePartition) {
        Instant now = config.clock().instant();
        Map<String, String> fields = taken(ops.take(session.id(), now));
        SessionId newId = ids.get().issueFor(session.homeSite(), userKey);
        fields.put(SessionHash.USER, userKey);
        if (homePartition == null) {
            fields.remove(SessionHash.PARTITION);
        } else {
            fields.put(SessionHash.PARTITION, homePartition);
        }
        // A login starts a new lifetime: the absolute timeout counts from here.
        fields.put(SessionHash.CREATED, SessionHash.millis(now));
        fields.put(SessionHash.ACCESSED, SessionHash.millis(now));
        return write(newId, fields, now, userKey, false, now);
    }

    Session renewId(Session session) {
        Instant now = config.clock().instant();
        Map<String, String> fields = taken(ops.take(session.id(), now));
        String userKey = fields.get(SessionHash.USER);
        SessionId newId = newId(session.homeSite(), userKey);
        fields.put(SessionHash.ACCESSED, SessionHash.millis(now));
        return write(newId, fields, authenticated(fields, now), userKey, true, now);
    }

    Session rehome(Session session, String target) {
        if (target.equals(session.homeSite())) {
            return session;
        }
        String userKey = session.userKey().orElse(null);
        SessionId newId = newId(target, userKey);
        Instant now = config.clock().instant();
        Map<String, String> fields = switch (ops.freeze(session.id(), newId, now, now.plus(FREEZE))) {
            case Reply.Conflict conflict -> throw new SessionStoreException("the session is being re-homed by"
                    + " another request", null);
            case Reply reply -> taken(reply);
        };
        boolean moved = false;
        try {
            fields.put(SessionHash.ACCESSED, SessionHash.millis(now));
            Session copy = write(newId, fields, authenticated(fields, now), userKey, true, now);
            Reply tombstone = ops.tombstone(session.id(), newId, config.clock().instant());
            switch (tombstone) {
                case Reply.Ok ok -> moved = true;
                case Reply.Conflict conflict -> throw new SessionStoreException("re-homing took longer than its "
                        + FREEZE.toSeconds() + " s freeze; nothing was moved", null);
                case Reply.Gone gone -> throw new SessionGoneException(gone.reason());
                case Reply.Moved other -> throw new SessionGoneException(SessionLookup.Reason.MOVED);
            }
            return copy;
        } finally {
            if (!moved) {
                discard(newId);
                thaw(session.id(), newId);
            }
        }
    }

    private Session write(SessionId newId, Map<String, String> fields, Instant authenticated, String userKey,
                          boolean copy, Instant now) {
        Instant created = Instant.ofEpochMilli(Long.parseLong(fields.get(SessionHash.CREATED)));
        Reply reply = ops.create(newId, fields, authenticated, userKey, copy, ops.ttl(created, now));
        return switch (reply) {
            case Reply.Ok ok -> SessionHash.decode(newId, fields, now, false, config.attributeLimits());
            case Reply.Gone gone -> throw new SessionGoneException(gone.reason());
            case Reply.Moved moved -> throw new IllegalStateException("a new session id resolved to a forward");
            case Reply.Conflict conflict -> throw new IllegalStateException("a new random session id already exists");
        };
    }

    private SessionId newId(String site, String userKey) {
        return userKey == null ? ids.get().issue(site) : ids.get().issueFor(site, userKey);
    }

    private void discard(SessionId copy) {
        try {
            ops.delete(copy);
        } catch (RegionUnavailableException e) {
            // The orphaned copy is unreachable (nobody holds its id) and expires with its TTL.
        }
    }

    private void thaw(SessionId id, SessionId newId) {
        try {
            ops.thaw(id, newId);
        } catch (RegionUnavailableException e) {
            // The freeze runs out by itself after FREEZE.
        }
    }

    private static Instant authenticated(Map<String, String> fields, Instant now) {
        String at = fields.get(SessionHash.AUTHENTICATED);
        return at == null ? now : Instant.ofEpochMilli(Long.parseLong(at));
    }

    private static Map<String, String> taken(Reply reply) {
        return switch (reply) {
            case Reply.Ok ok -> SessionHash.fields(ok.values());
            case Reply.Gone gone -> throw new SessionGoneException(gone.reason());
            case Reply.Moved moved -> throw new SessionGoneException(SessionLookup.Reason.MOVED);
            case Reply.Conflict conflict -> throw new IllegalStateException("unexpected conflict reading a session");
        };
    }
}
