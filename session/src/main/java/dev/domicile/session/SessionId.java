package dev.domicile.session;

import java.util.Objects;

/**
 * A verified session id: {@code s1.<site>.<tag>.<random>.<mac>}, where {@code random} is 128 bits from a
 * {@link java.security.SecureRandom}, {@code tag} (empty for anonymous sessions) places an authenticated session's
 * data next to its user's revocation marker and session index, and {@code mac} is an HMAC-SHA256 over the rest under the deployment's
 * {@link SessionKeyRing}. Obtain one from {@link SessionIds}; there is no public constructor, so holding a
 * {@code SessionId} means it was issued or verified.
 *
 * <p>Immutable. {@link #toString()} does not reveal the id, so it can be logged.
 */
public final class SessionId {

    private final String value;
    private final String site;
    private final String tag;
    private final String redisKey;

    SessionId(String value, String site, String tag, String random) {
        this.value = Objects.requireNonNull(value, "value");
        this.site = site;
        this.tag = tag;
        this.redisKey = tag.isEmpty() ? "dom:s:{" + random + "}" : "dom:s:{" + tag + "}:" + random;
    }

    /** The full id, as the client presents it (a cookie value). Secret: do not log it. */
    public String value() {
        return value;
    }

    /** The home site: the only site whose Redis holds this session. */
    public String site() {
        return site;
    }

    /** The Redis key of the session's hash. Keys hold only the random part, not the MAC, so they are not ids. */
    String redisKey() {
        return redisKey;
    }

    /** The prefix of revocation-marker keys in the same Redis slot as this session ({@code dom:r:{tag}:}). */
    String markerPrefix() {
        return tag.isEmpty() ? "" : SessionIds.markerPrefix(tag);
    }

    /** The prefix of user session-index keys in the same Redis slot as this session ({@code dom:u:{tag}:}). */
    String indexPrefix() {
        return tag.isEmpty() ? "" : SessionIds.indexPrefix(tag);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionId id && id.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "SessionId[site=" + site + ", ...]";
    }
}
