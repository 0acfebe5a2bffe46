package dev.domicile.session;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Loads a session by a verified id, applying the {@link CrossRegionPolicy} and following one re-homing.
 *
 * <p>A load is one {@code HGETALL} of the home Redis, checked here: revoked and re-homed tombstones, then the
 * timeouts with the store's clock (an expired session is deleted). A use is recorded (one more round trip, by
 * {@link Scripts#TOUCH}) only when the recorded one is older than {@link SessionOps#touchInterval()}. Nothing read is
 * trusted beyond what the checks need: the forwarding pointer is verified like any presented id.
 */
final class SessionLoader {

    private final SessionStoreConfig config;
    private final SessionOps ops;
    private final ReadOnlyCopies copies;
    private final Supplier<SessionIds> ids;

    SessionLoader(SessionStoreConfig config, SessionOps ops, ReadOnlyCopies copies, Supplier<SessionIds> ids) {
        this.config = config;
        this.ops = ops;
        this.copies = copies;
        this.ids = ids;
    }

    SessionLookup load(SessionId id) {
        return load(id, true);
    }

    private SessionLookup load(SessionId id, boolean followMove) {
        boolean local = id.site().equals(config.localSite());
        CrossRegionPolicy policy = config.crossRegionPolicy();
        if (!local && policy == CrossRegionPolicy.FORWARD) {
            return new SessionLookup.Forward(id.site(), id);
        }
        Instant now = config.clock().instant();
        boolean readOnly = !local && policy == CrossRegionPolicy.LOCAL_READ_ONLY;
        if (readOnly) {
            Session copy = copies.get(id, now);
            if (copy != null) {
                return new SessionLookup.Found(copy);
            }
        }
        Map<String, String> fields = ops.read(id);
        if (fields.containsKey(SessionHash.REVOKED)) {
            return new SessionLookup.Missing(SessionLookup.Reason.REVOKED);
        }
        if (fields.containsKey(SessionHash.MOVED)) {
            return followMove ? follow(fields.get(SessionHash.MOVED))
                    : new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND);
        }
        if (!fields.containsKey(SessionHash.CREATED)) {
            return new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND);
        }
        Instant created = SessionHash.instant(fields.get(SessionHash.CREATED));
        Instant accessed = SessionHash.instant(fields.get(SessionHash.ACCESSED));
        if (!now.isBefore(created.plus(ops.absoluteTimeout()))) {
            ops.delete(id);
            return new SessionLookup.Missing(SessionLookup.Reason.ABSOLUTE_TIMEOUT);
        }
        if (!now.isBefore(accessed.plus(ops.idleTimeout()))) {
            ops.delete(id);
            return new SessionLookup.Missing(SessionLookup.Reason.IDLE_TIMEOUT);
        }
        if (!now.isBefore(accessed.plus(ops.touchInterval()))) {
            switch (ops.touch(id, now)) {
                case Reply.Ok ok -> accessed = now;
                case Reply.Gone gone -> {
                    return new SessionLookup.Missing(gone.reason());
                }
                case Reply.Moved moved -> {
                    return followMove ? follow(moved.newId())
                            : new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND);
                }
                case Reply.Conflict conflict -> throw new IllegalStateException("unexpected conflict on touch");
            }
        }
        Session session = SessionHash.decode(id, fields, accessed, readOnly, config.attributeLimits());
        if (readOnly) {
            copies.put(session, now);
        }
        return new SessionLookup.Found(session);
    }

    private SessionLookup follow(String newId) {
        return switch (ids.get().verify(newId)) {
            case IdVerification.Valid valid -> load(valid.id(), false);
            case IdVerification.Rejected rejected -> new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND);
        };
    }
}
