package dev.domicile.session;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one session as it was read from (or written to) its home site's Redis. Immutable and thread-safe;
 * change a session with {@link #edit()} and {@link RegionalSessionStore#save(SessionEdit)}.
 */
public final class Session {

    private final SessionId id;
    private final String userKey;
    private final String homePartition;
    private final Map<String, String> attributes;
    private final CausalTokens causalTokens;
    private final Instant createdAt;
    private final Instant lastAccessedAt;
    private final boolean readOnly;
    private final AttributeLimits limits;

    Session(SessionId id, String userKey, String homePartition, Map<String, String> attributes,
            CausalTokens causalTokens, Instant createdAt, Instant lastAccessedAt, boolean readOnly,
            AttributeLimits limits) {
        this.id = Objects.requireNonNull(id, "id");
        this.userKey = userKey;
        this.homePartition = homePartition;
        this.attributes = Map.copyOf(attributes);
        this.causalTokens = Objects.requireNonNull(causalTokens, "causalTokens");
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.lastAccessedAt = Objects.requireNonNull(lastAccessedAt, "lastAccessedAt");
        this.readOnly = readOnly;
        this.limits = limits;
    }

    /** The id; after a lookup that followed a re-homing it differs from the presented one. */
    public SessionId id() {
        return id;
    }

    /** The home site, where the session is stored (same as {@code id().site()}). */
    public String homeSite() {
        return id.site();
    }

    /** The user, once the session is authenticated. */
    public Optional<String> userKey() {
        return Optional.ofNullable(userKey);
    }

    /** The user's home partition, once known. */
    public Optional<String> homePartition() {
        return Optional.ofNullable(homePartition);
    }

    /** The attributes (unmodifiable). */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** One attribute. */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    /** The router's read-your-writes tokens. */
    public CausalTokens causalTokens() {
        return causalTokens;
    }

    /** When the session was created (the start of its absolute timeout). */
    public Instant createdAt() {
        return createdAt;
    }

    /**
     * When its use was last recorded (the start of its idle timeout). Saves record every use; loads record a use only
     * when the recorded one is older than 1% of the idle timeout, so the idle timeout holds to within 1%.
     */
    public Instant lastAccessedAt() {
        return lastAccessedAt;
    }

    /** Whether this is a {@link CrossRegionPolicy#LOCAL_READ_ONLY} copy that cannot be saved. */
    public boolean readOnly() {
        return readOnly;
    }

    /** A new change set on this snapshot. @throws ReadOnlySessionException if this is a read-only copy */
    public SessionEdit edit() {
        if (readOnly) {
            throw new ReadOnlySessionException(homeSite());
        }
        return new SessionEdit(this, limits);
    }

    @Override
    public String toString() {
        return "Session[" + id + ", user=" + (userKey == null ? "none" : "set") + ", attributes=" + attributes.size()
                + (readOnly ? ", read-only" : "") + "]";
    }
}
