package dev.domicile.session;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link RegionalSessionStore#revokeUser(String)} achieved. Every session of the user authenticated before
 * {@code revokedAt} is dead in each site of {@code reached}; for each site in {@code failed} the revocation must be
 * repeated (revoking again is harmless) once that site's Redis is back, because until then its sessions are
 * unavailable, not revoked.
 *
 * @param userKey   the user
 * @param revokedAt the revocation time (the store's clock plus the configured clock skew)
 * @param reached   sites whose Redis stored the revocation marker and announced it
 * @param failed    site → why it could not be reached
 */
public record RevocationResult(String userKey, Instant revokedAt, Set<String> reached, Map<String, String> failed) {

    public RevocationResult {
        Objects.requireNonNull(userKey, "userKey");
        Objects.requireNonNull(revokedAt, "revokedAt");
        reached = Set.copyOf(reached);
        failed = Map.copyOf(failed);
    }

    /** Whether every configured site was reached. */
    public boolean complete() {
        return failed.isEmpty();
    }
}
