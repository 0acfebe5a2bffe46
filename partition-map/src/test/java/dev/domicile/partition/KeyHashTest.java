package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    /** Routers of every version must agree on where a key lives: these values may never change. */
    @Test
    void hashValuesArePinned() {
        assertThat(KeyHash.routing("alice")).isEqualTo(0xd316d1435bdf0385L);
        assertThat(check("alice")).isEqualTo(0xc4c55b2c4fe44594L);
        assertThat(KeyHash.routing("user-0000001")).isEqualTo(0x4198067407cc8729L);
        assertThat(KeyHash.routing("日本語ユーザー")).isEqualTo(0x2891187d4041a6baL);
        assertThat(KeyHash.routing("😀x")).isEqualTo(0x2ed744d0b53297d1L);
        assertThat(KeyHash.routing("abcdefghijklmnopq")).isEqualTo(0x8e4caa55793fdc33L);
    }

    @Property(tries = 300)
    void streamingUtf8MatchesAHashOfTheEncodedBytes(@ForAll @StringLength(min = 1, max = 60)
            @CharRange(from = 'a', to = 'z') @CharRange(from = 0xa0, to = 0x7ff) @CharRange(from = 0x800, to = 0xd7ff)
            @CharRange(from = 0xe000, to = 0xfffd) String key) {
        assertThat(KeyHash.routing(key)).isEqualTo(reference(key, KeyHash.ROUTING_SEED));
        assertThat(check(key)).isEqualTo(reference(key, KeyHash.CHECK_SEED));
    }

    /** Printable ASCII takes the eight-at-a-time path, then hands over to the per-character path mid-key. */
    @Property(tries = 300)
    void theAsciiFastPathAgreesWithTheReference(@ForAll @StringLength(max = 40) @CharRange(from = ' ', to = '~')
            String prefix, @ForAll @CharRange(from = 0xa0, to = 0x7ff) char other, @ForAll @StringLength(max = 20)
            @CharRange(from = ' ', to = '~') String suffix) {
        if (!prefix.isEmpty()) {
            assertThat(KeyHash.routing(prefix)).isEqualTo(reference(prefix, KeyHash.ROUTING_SEED));
            assertThat(check(prefix)).isEqualTo(reference(prefix, KeyHash.CHECK_SEED));
        }
        String mixed = prefix + other + suffix;
        assertThat(KeyHash.routing(mixed)).isEqualTo(reference(mixed, KeyHash.ROUTING_SEED));
        assertThat(check(mixed)).isEqualTo(reference(mixed, KeyHash.CHECK_SEED));
    }

    @Test
    void supplementaryCharactersHashAsFourUtf8Bytes() {
        String key = "a😀b𝄞c";
        assertThat(KeyHash.routing(key)).isEqualTo(reference(key, KeyHash.ROUTING_SEED));
    }

    @Test
    void keysAreLimitedToTheirUtf8Length() {
        assertThat(UserKeys.validate("x".repeat(256))).hasSize(256);
        assertThat(UserKeys.validate("é".repeat(128))).hasSize(128);
        assertThatThrownBy(() -> UserKeys.validate("x".repeat(257)))
                .isInstanceOf(InvalidUserKeyException.class).hasMessage("user key is 257 UTF-8 bytes long, above the limit of 256");
        assertThatThrownBy(() -> UserKeys.validate("é".repeat(129)))
                .isInstanceOf(InvalidUserKeyException.class).hasMessageContaining("258 UTF-8 bytes");
    }

    @Test
    void badKeysAreRejectedWithTheRuleTheyBreak() {
        assertThatThrownBy(() -> UserKeys.validate(null)).hasMessage("user key is null");
        assertThatThrownBy(() -> UserKeys.validate("")).hasMessage("user key is empty");
        assertThatThrownBy(() -> UserKeys.validate("ab\tc"))
                .hasMessage("user key contains control character U+0009 at index 2");
        assertThatThrownBy(() -> UserKeys.validate("a\u0085")).hasMessageContaining("U+0085 at index 1");
        assertThatThrownBy(() -> UserKeys.validate("a\u007f")).hasMessageContaining("U+007F");
        assertThatThrownBy(() -> UserKeys.validate("x\ud800y"))
                .hasMessage("user key is not valid UTF-8: unpaired surrogate U+D800 at index 1");
        assertThatThrownBy(() -> UserKeys.validate("x\udc00")).hasMessageContaining("unpaired surrogate U+DC00");
        assertThatThrownBy(() -> UserKeys.validate("secret\n")).hasMessageNotContaining("secret");
    }

    @Property(tries = 200)
    void anyControlCharacterIsRejected(@ForAll @StringLength(min = 0, max = 20) @CharRange(from = 'a', to = 'z')
            String prefix, @ForAll @CharRange(from = 0, to = 0x1f) @CharRange(from = 0x7f, to = 0x9f) char control) {
        assertThatThrownBy(() -> UserKeys.validate(prefix + control))
                .isInstanceOf(InvalidUserKeyException.class)
                .hasMessageContaining("control character")
                .hasMessageContaining("at index " + prefix.length());
    }

    private static long check(String key) {
        return KeyHash.hash(key, (routing, check) -> check);
    }

    /** The hash as specified, over an encoded byte array rather than streamed from the characters. */
    private static long reference(String key, long seed) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long h = seed;
        int full = bytes.length / 8;
        for (int i = 0; i < full; i++) {
            long k = Long.rotateLeft(buffer.getLong(i * 8) * 0x87c37b91114253d5L, 31) * 0x4cf5ad432745937fL;
            h = Long.rotateLeft(h ^ k, 27) * 5 + 0x52dce729;
        }
        if (bytes.length % 8 != 0) {
            long tail = 0;
            for (int i = bytes.length - 1; i >= full * 8; i--) {
                tail = (tail << 8) | (bytes[i] & 0xff);
            }
            h ^= Long.rotateLeft(tail * 0x87c37b91114253d5L, 31) * 0x4cf5ad432745937fL;
        }
        h ^= bytes.length;
        return KeyHash.fmix64(h);
    }
}
