package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The forwarding header's MAC covers every field and the request line; the wire form round-trips. */
class ForwardingSignatureTest {

    private final ForwardingSignature signature = new ForwardingSignature(ForwardingTest.SECRET);

    @Test
    void aSignedHeaderVerifiesAfterARoundTripThroughItsWireForm() {
        ForwardedHeader header = signature.sign("POST", "/notes/x?y=1", "alice; bob=é", "eu-west", 0, 1234, 1);
        ForwardedHeader parsed = ForwardedHeader.parse(header.encode());
        assertThat(parsed).isEqualTo(header);
        assertThat(parsed.user()).isEqualTo("alice; bob=é");
        assertThat(signature.verify("POST", "/notes/x?y=1", parsed)).isTrue();
    }

    @Test
    void changingAnyFieldOrTheRequestLineBreaksTheMac() {
        ForwardedHeader h = signature.sign("POST", "/notes/x", "alice", "eu-west", 0, 1234, 1);
        byte[] mac = h.mac();
        assertThat(signature.verify("PUT", "/notes/x", h)).isFalse();
        assertThat(signature.verify("POST", "/notes/x?", h)).isFalse();
        assertThat(signature.verify("POST", "/notes/x",
                new ForwardedHeader("alicf", h.home(), h.epoch(), h.deadlineMillis(), h.hop(), h.nonce(), mac))).isFalse();
        assertThat(signature.verify("POST", "/notes/x",
                new ForwardedHeader(h.user(), "us-east", h.epoch(), h.deadlineMillis(), h.hop(), h.nonce(), mac))).isFalse();
        assertThat(signature.verify("POST", "/notes/x",
                new ForwardedHeader(h.user(), h.home(), 1, h.deadlineMillis(), h.hop(), h.nonce(), mac))).isFalse();
        assertThat(signature.verify("POST", "/notes/x",
                new ForwardedHeader(h.user(), h.home(), h.epoch(), 1235, h.hop(), h.nonce(), mac))).isFalse();
        assertThat(signature.verify("POST", "/notes/x",
                new ForwardedHeader(h.user(), h.home(), h.epoch(), h.deadlineMillis(), 2, h.nonce(), mac))).isFalse();
        assertThat(signature.verify("POST", "/notes/x", new ForwardedHeader(h.user(), h.home(), h.epoch(),
                h.deadlineMillis(), h.hop(), h.nonce() + "x", mac))).isFalse();
        assertThat(new ForwardingSignature("x".repeat(32)).verify("POST", "/notes/x", h)).isFalse();
        assertThat(signature.verify("POST", "/notes/x", h)).isTrue();
    }

    @Test
    void everySignedHeaderHasItsOwnNonce() {
        java.util.Set<String> nonces = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            nonces.add(signature.sign("POST", "/a", "alice", "eu-west", 0, 1, 1).nonce());
        }
        assertThat(nonces).hasSize(1000).allMatch(n -> n.length() == 22);
    }

    @Test
    void fieldsAreLengthPrefixedSoBoundariesCannotShift() {
        ForwardedHeader h = signature.sign("POST", "/a", "bc", "eu-west", 0, 1, 1);
        assertThat(signature.verify("POST", "/ab", new ForwardedHeader("c", "eu-west", 0, 1, 1, h.nonce(), h.mac()))).isFalse();
    }

    @Test
    void malformedHeadersAndShortSecretsAreRefused() {
        assertThatThrownBy(() -> ForwardedHeader.parse("hop=1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly the fields");
        assertThatThrownBy(() -> ForwardedHeader.parse("hop=x;home=a;epoch=0;deadline=1;nonce=n;user=YQ;mac=YQ"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed field");
        assertThatThrownBy(() -> ForwardedHeader.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ForwardingSignature("x".repeat(31)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("must be at least 32 bytes (UTF-8), is 31");
    }
}
