package dev.domicile.session;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-deployment secrets that sign session ids: the current key, which signs new ids and verifies, and optionally
 * the previous key, which still verifies until {@link #previousAcceptedUntil()} so that rotating the secret does not
 * log everybody out at once.
 *
 * <p>Immutable and thread-safe; the secret bytes are copied in and never handed out. Rotation replaces the whole ring:
 * {@code ring.rotate(newSecret, now.plus(gracePeriod))}.
 */
public final class SessionKeyRing {

    /** Shortest accepted secret, in bytes (the HMAC-SHA256 block output size). */
    public static final int MIN_SECRET_BYTES = 32;

    static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec current;
    private final SecretKeySpec previous;
    private final Instant previousAcceptedUntil;

    private SessionKeyRing(SecretKeySpec current, SecretKeySpec previous, Instant previousAcceptedUntil) {
        this.current = current;
        this.previous = previous;
        this.previousAcceptedUntil = previousAcceptedUntil;
    }

    /**
     * A ring with a single key.
     *
     * @throws IllegalArgumentException if {@code secret} is shorter than {@value #MIN_SECRET_BYTES} bytes
     */
    public static SessionKeyRing of(byte[] secret) {
        return new SessionKeyRing(key("current", secret), null, Instant.MIN);
    }

    /**
     * A ring whose current key is {@code next} and whose previous key, this ring's current one, is accepted for
     * verification until {@code previousAcceptedUntil}.
     *
     * @throws IllegalArgumentException if {@code next} is too short or equals the current key
     */
    public SessionKeyRing rotate(byte[] next, Instant previousAcceptedUntil) {
        Objects.requireNonNull(previousAcceptedUntil, "previousAcceptedUntil");
        SecretKeySpec nextKey = key("next", next);
        if (nextKey.equals(current)) {
            throw new IllegalArgumentException("session key ring: the next secret equals the current one; rotation"
                    + " needs a new secret");
        }
        return new SessionKeyRing(nextKey, current, previousAcceptedUntil);
    }

    /** Until when the previous key verifies; {@link Instant#MIN} when there is none. */
    public Instant previousAcceptedUntil() {
        return previousAcceptedUntil;
    }

    SecretKeySpec current() {
        return current;
    }

    Optional<SecretKeySpec> previous() {
        return Optional.ofNullable(previous);
    }

    boolean previousAccepted(Instant now) {
        return previous != null && now.isBefore(previousAcceptedUntil);
    }

    private static SecretKeySpec key(String name, byte[] secret) {
        Objects.requireNonNull(secret, name + " secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("session key ring: " + name + " secret has " + secret.length
                    + " bytes; it must have at least " + MIN_SECRET_BYTES + " random bytes");
        }
        return new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    @Override
    public String toString() {
        return "SessionKeyRing[previous " + (previous == null ? "none" : "until " + previousAcceptedUntil) + "]";
    }
}
