package dev.domicile.micronaut;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies forwarded requests with HMAC-SHA256 under the deployment's secret
 * ({@code domicile.forwarding.secret}). The MAC covers the HTTP method, the path with its query, and every field of
 * the {@link ForwardedHeader} (the nonce included) but the MAC itself, each length-prefixed so that no two inputs share an encoding.
 * Verification compares in constant time. Immutable and thread-safe: each call works on its own clone of a
 * {@link Mac} initialized once with the key (never used itself), which skips the provider lookup and key setup.
 */
final class ForwardingSignature {

    /** The shortest secret accepted, in bytes (UTF-8): the HMAC-SHA256 block of security. */
    static final int MIN_SECRET_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder NONCE = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final Mac prototype;

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
        this.prototype = newMac();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    private Mac mac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newMac(); // a provider whose Mac cannot be cloned: pay for a fresh one
        }
    }

    /**
     * The header for a request {@code method target} (target: path and query) forwarded with these fields and a fresh
     * nonce (128 bits from {@link ThreadLocalRandom}: it must be unique, not secret; the MAC covers it).
     */
    ForwardedHeader sign(String method, String target, String user, String home, long epoch, long deadlineMillis,
                         int hop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] nonce = ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(random.nextLong()).array();
        return sign(method, target, user, home, epoch, deadlineMillis, hop, NONCE.encodeToString(nonce));
    }

    /** As {@link #sign(String, String, String, String, long, long, int)} with a given nonce. */
    ForwardedHeader sign(String method, String target, String user, String home, long epoch, long deadlineMillis,
                         int hop, String nonce) {
        return new ForwardedHeader(user, home, epoch, deadlineMillis, hop, nonce,
                mac(method, target, user, home, epoch, deadlineMillis, hop, nonce));
    }

    /** Whether {@code header}'s MAC is the one this secret gives for it and the request {@code method target}. */
    boolean verify(String method, String target, ForwardedHeader header) {
        byte[] expected = mac(method, target, header.user(), header.home(), header.epoch(), header.deadlineMillis(),
                header.hop(), header.nonce());
        return MessageDigest.isEqual(expected, header.mac());
    }

    private byte[] mac(String method, String target, String user, String home, long epoch, long deadlineMillis,
                       int hop, String nonce) {
        Mac mac = mac();
        for (String field : new String[] {method, target, user, home, nonce}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            mac.update(bytes);
        }
        mac.update(ByteBuffer.allocate(20).putLong(epoch).putLong(deadlineMillis).putInt(hop).array());
        return mac.doFinal();
    }

    @Override
    public String toString() {
        return "ForwardingSignature[HmacSHA256, key hidden]";
    }
}
