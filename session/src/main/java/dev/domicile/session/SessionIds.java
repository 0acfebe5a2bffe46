package dev.domicile.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies session ids (format in {@link SessionId}). Verification is pure computation: a malformed,
 * foreign, tampered or expired-key id is refused without any I/O, in about a microsecond.
 *
 * <p>Immutable and thread-safe (each thread keeps its own {@link Mac} instances). To rotate the secret, build a new
 * instance with the rotated {@link SessionKeyRing}.
 */
public final class SessionIds {

    /** Longest id ever issued: {@code "s1." + 32-char site + "." + 3-char tag + "." + 22 + "." + 22}. */
    public static final int MAX_ID_LENGTH = 3 + 32 + 1 + 3 + 1 + 22 + 1 + 22;

    private static final String VERSION = "s1.";
    private static final int RANDOM_BYTES = 16;
    private static final int MAC_BYTES = 16;
    private static final int ENCODED_128_BITS = 22;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionKeyRing keys;
    private final Set<String> sites;
    private final Clock clock;
    private final ThreadLocal<Mac> currentMac;
    private final ThreadLocal<Mac> previousMac;

    /**
     * @param keys  the secrets
     * @param sites the sites an id may name (the configured regions)
     * @param clock decides whether the previous key is still in its grace period
     */
    public SessionIds(SessionKeyRing keys, Set<String> sites, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.sites = Set.copyOf(sites);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.currentMac = ThreadLocal.withInitial(() -> newMac(keys.current()));
        this.previousMac = keys.previous().map(key -> ThreadLocal.withInitial(() -> newMac(key))).orElse(null);
    }

    /** The key ring in use. */
    public SessionKeyRing keys() {
        return keys;
    }

    /** A new id for an anonymous session homed in {@code site}. @throws IllegalArgumentException for an unknown site */
    public SessionId issue(String site) {
        return issue(site, "");
    }

    /** A new id for a session of {@code userKey} homed in {@code site}. @throws IllegalArgumentException as above */
    public SessionId issueFor(String site, String userKey) {
        return issue(site, tagFor(userKey));
    }

    /** Checks {@code presented}; never throws, whatever the input. */
    public IdVerification verify(String presented) {
        if (presented == null || presented.length() > MAX_ID_LENGTH || !presented.startsWith(VERSION)) {
            return new IdVerification.Rejected(IdRejection.MALFORMED);
        }
        int siteEnd = presented.indexOf('.', VERSION.length());
        int tagEnd = siteEnd < 0 ? -1 : presented.indexOf('.', siteEnd + 1);
        int randomEnd = tagEnd < 0 ? -1 : presented.indexOf('.', tagEnd + 1);
        if (randomEnd < 0 || randomEnd - tagEnd - 1 != ENCODED_128_BITS
                || presented.length() - randomEnd - 1 != ENCODED_128_BITS
                || !(tagEnd - siteEnd - 1 == 0 || tagEnd - siteEnd - 1 == 3)
                || !base64Url(presented, siteEnd + 1, randomEnd, tagEnd)
                || !base64Url(presented, randomEnd + 1, presented.length(), -1)) {
            return new IdVerification.Rejected(IdRejection.MALFORMED);
        }
        String site = presented.substring(VERSION.length(), siteEnd);
        if (!sites.contains(site)) {
            return new IdVerification.Rejected(IdRejection.UNKNOWN_SITE);
        }
        byte[] signed = presented.substring(0, randomEnd).getBytes(StandardCharsets.US_ASCII);
        byte[] mac = presented.substring(randomEnd + 1).getBytes(StandardCharsets.US_ASCII);
        boolean genuine = MessageDigest.isEqual(mac, sign(currentMac.get(), signed));
        if (!genuine && previousMac != null && keys.previousAccepted(clock.instant())) {
            genuine = MessageDigest.isEqual(mac, sign(previousMac.get(), signed));
        }
        if (!genuine) {
            return new IdVerification.Rejected(IdRejection.BAD_SIGNATURE);
        }
        return new IdVerification.Valid(new SessionId(presented, site, presented.substring(siteEnd + 1, tagEnd),
                presented.substring(tagEnd + 1, randomEnd)));
    }

    /** The 3-character slot tag of a user: 16 bits of a hash, enough to spread users over Redis Cluster slots. */
    static String tagFor(String userKey) {
        Objects.requireNonNull(userKey, "userKey");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("domicile-session-slot:" + userKey).getBytes(StandardCharsets.UTF_8));
            return ENCODER.encodeToString(Arrays.copyOf(digest, 2));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String markerPrefix(String tag) {
        return "dom:r:{" + tag + "}:";
    }

    static String indexPrefix(String tag) {
        return "dom:u:{" + tag + "}:";
    }

    private SessionId issue(String site, String tag) {
        if (!sites.contains(site)) {
            throw new IllegalArgumentException("site '" + site + "' is not a configured region; known: " + sites);
        }
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        String encodedRandom = ENCODER.encodeToString(random);
        String signed = VERSION + site + "." + tag + "." + encodedRandom;
        byte[] mac = sign(currentMac.get(), signed.getBytes(StandardCharsets.US_ASCII));
        return new SessionId(signed + "." + new String(mac, StandardCharsets.US_ASCII), site, tag, encodedRandom);
    }

    /** The MAC of {@code signed}, truncated to 128 bits and base64url-encoded, as ASCII bytes. */
    private static byte[] sign(Mac mac, byte[] signed) {
        byte[] full = mac.doFinal(signed);
        return ENCODER.encode(Arrays.copyOf(full, MAC_BYTES));
    }

    private static boolean base64Url(String s, int from, int to, int skip) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || i == skip;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(SessionKeyRing.ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(SessionKeyRing.ALGORITHM + " is unavailable in this JVM", e);
        }
    }
}
