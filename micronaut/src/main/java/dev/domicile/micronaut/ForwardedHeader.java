package dev.domicile.micronaut;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The value of {@value DomicileHeaders#FORWARDED}: who a forwarded request is for, where it was sent, until when it
 * may run, its hop count and the MAC over all of it and the request line ({@link ForwardingSignature}).
 *
 * <p>Wire form: {@code hop=1;home=eu-west;epoch=4;deadline=1763900000000;nonce=<base64url>;user=<base64url>;
 * mac=<base64url>}, the user key base64url-encoded (no padding) so that any valid key fits in a header.
 *
 * @param user           the user key the request runs for
 * @param home           the site it was forwarded to, which must be the receiving site
 * @param epoch          the authority epoch of the home partition; always 0 until the authority exists
 * @param deadlineMillis until when (epoch milliseconds) it may start running at the receiving site
 * @param hop            how many times it was forwarded; only 1 is accepted
 * @param nonce          unique per signed request (128 random bits, base64url), so that the receiving site can refuse
 *                       a replay of it before its deadline ({@link ReplayGuard})
 * @param mac            HMAC-SHA256 over the request line and the fields above
 */
record ForwardedHeader(String user, String home, long epoch, long deadlineMillis, int hop, String nonce, byte[] mac) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final java.util.Set<String> FIELDS =
            java.util.Set.of("hop", "home", "epoch", "deadline", "nonce", "user", "mac");

    ForwardedHeader {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(nonce, "nonce");
        mac = mac.clone();
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    /** The wire form. */
    String encode() {
        return "hop=" + hop + ";home=" + home + ";epoch=" + epoch + ";deadline=" + deadlineMillis + ";nonce=" + nonce
                + ";user=" + ENCODER.encodeToString(user.getBytes(StandardCharsets.UTF_8))
                + ";mac=" + ENCODER.encodeToString(mac);
    }

    /**
     * Parses the wire form.
     *
     * @throws IllegalArgumentException saying what is malformed
     */
    static ForwardedHeader parse(String value) {
        Map<String, String> fields = new HashMap<>(16);
        for (String part : value.split(";", -1)) {
            int equals = part.indexOf('=');
            if (equals <= 0 || fields.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim()) != null) {
                throw new IllegalArgumentException("expected distinct name=value fields separated by ';'");
            }
        }
        if (!fields.keySet().equals(FIELDS)) {
            throw new IllegalArgumentException(
                    "expected exactly the fields hop, home, epoch, deadline, nonce, user, mac");
        }
        try {
            return new ForwardedHeader(new String(DECODER.decode(fields.get("user")), StandardCharsets.UTF_8),
                    fields.get("home"), Long.parseLong(fields.get("epoch")), Long.parseLong(fields.get("deadline")),
                    Integer.parseInt(fields.get("hop")), fields.get("nonce"), DECODER.decode(fields.get("mac")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed field: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ForwardedHeader h && user.equals(h.user) && home.equals(h.home) && epoch == h.epoch
                && deadlineMillis == h.deadlineMillis && hop == h.hop && nonce.equals(h.nonce)
                && java.util.Arrays.equals(mac, h.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, home, epoch, deadlineMillis, hop, nonce, java.util.Arrays.hashCode(mac));
    }

    @Override
    public String toString() {
        return encode();
    }
}
