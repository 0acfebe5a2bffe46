package dev.domicile.micronaut;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies forwarded requests with HMAC-SHA256 under the deployment's secret
 * ({@code domicile.forwarding.secret}). The MAC covers the HTTP method, the path with its query, and every field of
 * the {@link ForwardedHeader} but the MAC itself, each length-prefixed so that no two inputs share an encoding.
 * Verification compares in constant time. Immutable and thread-safe (a {@link Mac} is made per call).
 */
final class ForwardingSignature {

    /** The shortest secret accepted, in bytes (UTF-8): the HMAC-SHA256 block of security. */
    static final int MIN_SECRET_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /**
     * @throws IllegalArgumentException if {@code secret} is shorter than {@value #MIN_SECRET_BYTES} bytes
     */
    ForwardingSignature(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("must be at least " + MIN_SECRET_BYTES + " bytes (UTF-8), is "
                    + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /** The header for a request {@code method target} (target: path and query) forwarded with these fields. */
    ForwardedHeader sign(String method, String target, String user, String home, long epoch, long deadlineMillis,
                         int hop) {
        return new ForwardedHeader(user, home, epoch, deadlineMillis, hop,
                mac(method, target, user, home, epoch, deadlineMillis, hop));
    }

    /** Whether {@code header}'s MAC is the one this secret gives for it and the request {@code method target}. */
    boolean verify(String method, String target, ForwardedHeader header) {
        byte[] expected = mac(method, target, header.user(), header.home(), header.epoch(), header.deadlineMillis(),
                header.hop());
        return MessageDigest.isEqual(expected, header.mac());
    }

    private byte[] mac(String method, String target, String user, String home, long epoch, long deadlineMillis,
                       int hop) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            for (String field : new String[] {method, target, user, home}) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                mac.update(bytes);
            }
            mac.update(ByteBuffer.allocate(20).putLong(epoch).putLong(deadlineMillis).putInt(hop).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "ForwardingSignature[HmacSHA256, key hidden]";
    }
}
