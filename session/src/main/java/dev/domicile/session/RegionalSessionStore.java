package dev.domicile.session;

import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions that live only in the Redis of their home site.
 *
 * <p>Each session is one Redis hash in its home site, named by an id that carries the site and an HMAC
 * ({@link SessionIds}); a store can therefore tell from the id alone which Redis to ask, and refuses a forged id
 * without asking any. A load is one {@code HGETALL}; changes are one Lua script each. Timeouts are checked on every
 * access with the injected clock and enforced by Redis through the key's TTL. Sessions of other sites are handled by the {@link CrossRegionPolicy}.
 *
 * <p>Lifecycle: {@link #start(SessionStoreConfig)} connects (lazily) to every site's Redis and subscribes to the local
 * site's revocation channel; {@link #close()} unsubscribes and shuts every client down. Thread-safe.
 *
 * <p>Failure: an operation that needs a site whose Redis is unreachable throws {@link RegionUnavailableException}
 * (fail closed); operations on other sites are unaffected, and nothing is ever written to another site instead.
 */
public final class RegionalSessionStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegionalSessionStore.class);

    private final SessionStoreConfig config;
    private final Map<String, RegionClient> regions;
    private final AtomicReference<SessionIds> ids;
    private final SessionOps ops;
    private final SessionMoves moves;
    private final SessionLoader loader;
    private final ReadOnlyCopies copies;
    private final Revocations revocations;
    private final Map<IdRejection, LongAdder> rejections = new EnumMap<>(IdRejection.class);
    private final AtomicBoolean closed = new AtomicBoolean();

    private RegionalSessionStore(SessionStoreConfig config, Map<String, RegionClient> regions) {
        this.config = config;
        this.regions = regions;
        this.ids = new AtomicReference<>(new SessionIds(config.keys(), regions.keySet(), config.clock()));
        this.ops = new SessionOps(config, regions);
        this.moves = new SessionMoves(config, ops, ids::get);
        this.copies = new ReadOnlyCopies(config.readOnlyStaleness(), config.readOnlyCopies());
        this.revocations = new Revocations(config, regions, copies);
        this.loader = new SessionLoader(config, ops, copies, ids::get);
        for (IdRejection rejection : IdRejection.values()) {
            rejections.put(rejection, new LongAdder());
        }
    }

    /**
     * Starts a store.
     *
     * @throws RegionUnavailableException if the local site's Redis cannot be subscribed to (remote sites may be down)
     */
    public static RegionalSessionStore start(SessionStoreConfig config) {
        Objects.requireNonNull(config, "config");
        Map<String, RegionClient> regions = new LinkedHashMap<>();
        config.regions().values().forEach(region -> regions.put(region.site(), RegionClient.connect(region)));
        RegionalSessionStore store = new RegionalSessionStore(config, Map.copyOf(regions));
        try {
            store.revocations.subscribe();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** A new anonymous session homed in the local site. @throws RegionUnavailableException if its Redis is down */
    public Session create() {
        return create(config.localSite());
    }

    /**
     * A new anonymous session homed in {@code homeSite}, stored there only.
     *
     * @throws IllegalArgumentException   for an unconfigured site
     * @throws RegionUnavailableException if that site's Redis is down
     */
    public Session create(String homeSite) {
        open();
        Instant now = config.clock().instant();
        SessionId id = ids.get().issue(homeSite);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(SessionHash.CREATED, SessionHash.millis(now));
        fields.put(SessionHash.ACCESSED, SessionHash.millis(now));
        if (!(ops.create(id, fields, now, null, false, ops.ttl(now, now)) instanceof Reply.Ok)) {
            throw new IllegalStateException("a new random session id already exists");
        }
        return SessionHash.decode(id, fields, now, false, config.attributeLimits());
    }

    /** Checks an id without Redis, counting and reporting a refusal. Never throws. */
    public IdVerification verify(String presentedId) {
        IdVerification verification = ids.get().verify(presentedId);
        if (verification instanceof IdVerification.Rejected rejected) {
            rejections.get(rejected.reason()).increment();
            try {
                config.listener().onIdRejected(rejected.reason());
            } catch (RuntimeException e) {
                LOG.warn("session listener failed on a rejected id", e);
            }
        }
        return verification;
    }

    /**
     * Loads the session named by a presented id (e.g. a cookie), recording the access. A malformed, foreign or
     * forged id yields {@link SessionLookup.InvalidId} without any Redis call; a re-homed session is followed once.
     *
     * @throws RegionUnavailableException if the session's home Redis (or, for a re-homed session, its new home) is
     *                                    down; never for an invalid id
     */
    public SessionLookup load(String presentedId) {
        open();
        return switch (verify(presentedId)) {
            case IdVerification.Rejected rejected -> new SessionLookup.InvalidId(rejected.reason());
            case IdVerification.Valid valid -> loader.load(valid.id());
        };
    }

    /**
     * Applies an edit in one atomic step in the session's home Redis and returns the edited snapshot. Only the edit's changes are written; changes saved meanwhile by others stay, but are not in the
     * returned snapshot (load to see them).
     *
     * @throws AttributeLimitException    if the attributes would exceed {@link AttributeLimits}
     * @throws ReadOnlySessionException   if the session is a read-only copy
     * @throws SessionGoneException       if the session expired, was revoked, logged out or re-homed
     * @throws RegionUnavailableException if its home Redis is down
     */
    public Session save(SessionEdit edit) {
        open();
        Session base = edit.session();
        if (base.readOnly()) {
            throw new ReadOnlySessionException(base.homeSite());
        }
        Map<String, String> attributes = edit.resultingAttributes();
        checkTotals(attributes);
        Instant now = config.clock().instant();
        return switch (ops.save(base.id(), edit, now)) {
            case Reply.Ok ok -> new Session(base.id(), base.userKey().orElse(null),
                    base.homePartition().orElse(null), attributes, base.causalTokens().withAll(edit.tokens()),
                    base.createdAt(), now, false, config.attributeLimits());
            case Reply.Gone gone -> throw new SessionGoneException(gone.reason());
            case Reply.Moved moved -> throw new SessionGoneException(SessionLookup.Reason.MOVED);
            case Reply.Conflict conflict -> throw new IllegalStateException("unexpected conflict saving a session");
        };
    }

    /**
     * Binds the session to a user on login: the session gets a new id (the old one is dead when this returns), a new
     * absolute lifetime, and keeps its attributes and causal tokens. A login after a revocation of the same user is
     * not affected by it.
     *
     * @param homePartition the user's home partition, or null if not known yet
     * @throws SessionGoneException       if the session is gone
     * @throws RegionUnavailableException if its home Redis is down (the session may then be lost: log in again)
     */
    public Session authenticate(Session session, String userKey, String homePartition) {
        open();
        Objects.requireNonNull(userKey, "userKey");
        return moves.authenticate(session, userKey, homePartition);
    }

    /**
     * Gives the session a new id, e.g. on a privilege change; the old id is dead when this returns. Timeouts and
     * authentication time carry over.
     *
     * @throws SessionGoneException       if the session is gone (or was revoked meanwhile)
     * @throws RegionUnavailableException if its home Redis is down
     */
    public Session renewId(Session session) {
        open();
        return moves.renewId(session);
    }

    /**
     * Moves the session to {@code newHomeSite} (its user's home moved): freezes the old session, copies it there,
     * then replaces the old one by a forwarding pointer. While frozen (two round trips), saves to the old session fail
     * with {@link SessionGoneException} ({@link SessionLookup.Reason#MOVED}) instead of being lost; loading the old id
     * afterwards yields the moved session under its new id.
     *
     * @throws SessionGoneException       if the session is gone or was revoked
     * @throws SessionStoreException      if another re-homing of the same session is in progress
     * @throws RegionUnavailableException if either site's Redis is down (the old session then stays in place)
     */
    public Session rehome(Session session, String newHomeSite) {
        open();
        if (!regions.containsKey(newHomeSite)) {
            throw new IllegalArgumentException("site '" + newHomeSite + "' is not a configured region");
        }
        return moves.rehome(session, newHomeSite);
    }

    /** Logs out: deletes the session in its home Redis. @throws RegionUnavailableException if it is down */
    public void invalidate(SessionId id) {
        open();
        copies.remove(id);
        ops.delete(id);
    }

    /**
     * Revokes every session of {@code userKey} in every site, in parallel: in each site's Redis one script turns the
     * user's sessions into revoked tombstones, raises the user's persistent revocation marker and announces the user
     * to the stores of that site. Sites that cannot be reached are reported, not retried.
     */
    public RevocationResult revokeUser(String userKey) {
        open();
        return revocations.revoke(Objects.requireNonNull(userKey, "userKey"));
    }

    /**
     * Replaces the id secrets atomically (for key rotation); ids of the previous key verify until its grace ends.
     * {@link #config()} keeps reporting the ring the store was started with.
     */
    public void rotateKeys(SessionKeyRing keys) {
        ids.set(new SessionIds(keys, regions.keySet(), config.clock()));
    }

    /** How many presented ids were refused, per reason, since start. */
    public Map<IdRejection, Long> rejectedIds() {
        Map<IdRejection, Long> counts = new EnumMap<>(IdRejection.class);
        rejections.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    /** The configuration. */
    public SessionStoreConfig config() {
        return config;
    }

    /** Unsubscribes and shuts down every site's client. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            revocations.close();
            regions.values().forEach(RegionClient::close);
        }
    }

    private void open() {
        if (closed.get()) {
            throw new IllegalStateException("the session store is closed");
        }
    }

    private void checkTotals(Map<String, String> attributes) {
        AttributeLimits limits = config.attributeLimits();
        if (attributes.size() > limits.maxAttributes()) {
            throw new AttributeLimitException("the session would hold " + attributes.size() + " attributes; the limit"
                    + " (domicile.session.attributes.max-attributes) is " + limits.maxAttributes());
        }
        long bytes = 0;
        for (Map.Entry<String, String> entry : attributes.entrySet()) {
            bytes += Text.utf8Length(entry.getKey()) + Text.utf8Length(entry.getValue());
        }
        if (bytes > limits.maxTotalBytes()) {
            throw new AttributeLimitException("the session's attributes would take " + bytes + " bytes; the limit"
                    + " (domicile.session.attributes.max-total-bytes) is " + limits.maxTotalBytes());
        }
    }
}
