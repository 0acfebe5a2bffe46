package dev.domicile.partition;

/**
 * Validates a user key and hashes its UTF-8 bytes in one pass, without allocating.
 *
 * <p>Printable ASCII runs are hashed eight characters at a time (a fast path that yields the same bytes as the
 * general per-character UTF-8 path it falls back to).
 *
 * <p>The hash is part of the routing contract: routers of every version must agree on it, so it is fixed here and
 * pinned by tests. It reads the UTF-8 bytes in little-endian 64-bit words, mixes each word with the MurmurHash3 x64
 * body step, then mixes in the byte length and applies the MurmurHash3 finaliser. Two lanes with two seeds, computed
 * in the same pass, give two independent 64-bit hashes: the routing hash ({@link #ROUTING_SEED}) places a key (hash
 * slot, assignment shard, table slot) and, with the check hash ({@link #CHECK_SEED}), forms the 128-bit fingerprint
 * that explicit assignments are matched on. Both are handed to a {@link Sink} because Java returns one value.
 */
final class KeyHash {

    static final long ROUTING_SEED = 0x9E3779B97F4A7C15L;
    static final long CHECK_SEED = 0xC2B2AE3D27D4EB4FL;

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long NOT_PRINTABLE_ASCII = -1L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private KeyHash() {
    }

    /** Receives both hashes of a key; what it returns, {@link #hash(String, Sink)} returns. */
    interface Sink {
        long accept(long routing, long check);
    }

    private static final Sink ROUTING_ONLY = (routing, check) -> routing;

    /** The routing hash of {@code key}. @throws InvalidUserKeyException for an invalid key */
    static long routing(String key) {
        return hash(key, ROUTING_ONLY);
    }

    /**
     * Validates {@code key}, hashes it with both seeds in one pass, and returns {@code sink.accept(routing, check)}.
     *
     * @throws InvalidUserKeyException for an invalid key
     */
    static long hash(String key, Sink sink) {
        int n = checkedLength(key);
        long h1 = ROUTING_SEED;
        long h2 = CHECK_SEED;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long block = printableAscii(key, i, 8);
            if (block == NOT_PRINTABLE_ASCII) {
                return sink.accept(general(key, i, h1), general(key, i, h2));
            }
            h1 = mixWord(h1, block);
            h2 = mixWord(h2, block);
        }
        if (i < n) {
            long tail = printableAscii(key, i, n - i);
            if (tail == NOT_PRINTABLE_ASCII) {
                return sink.accept(general(key, i, h1), general(key, i, h2));
            }
            long k = mixK(tail);
            h1 ^= k;
            h2 ^= k;
        }
        return sink.accept(fmix64(h1 ^ n), fmix64(h2 ^ n));
    }

    private static int checkedLength(String key) {
        if (key == null) {
            throw new InvalidUserKeyException("user key is null");
        }
        int n = key.length();
        if (n == 0) {
            throw new InvalidUserKeyException("user key is empty");
        }
        if (n > UserKeys.MAX_UTF8_BYTES) {
            throw tooLong(key);
        }
        return n;
    }

    /**
     * Characters {@code from .. from + count} (count 1 to 8) packed little-endian into a word, or
     * {@link #NOT_PRINTABLE_ASCII} if any is outside U+0020–U+007E. Bytes of a word are tested together: "has a byte
     * below 0x20" and "has a byte equal to 0x7F" are the classic SWAR tests, exact for bytes below 0x80.
     */
    private static long printableAscii(String key, int from, int count) {
        long block = 0;
        int seen = 0;
        for (int j = 0; j < count; j++) {
            char c = key.charAt(from + j);
            seen |= c;
            block |= (long) c << (j << 3);
        }
        if (seen >= 0x80) {
            return NOT_PRINTABLE_ASCII;
        }
        long padded = count == 8 ? block : block | (SPACES << (count << 3));
        long delete = padded ^ 0x7f7f7f7f7f7f7f7fL;
        boolean control = ((padded - SPACES) & ~padded & HIGH_BITS) != 0
                || ((delete - LOW_BITS) & ~delete & HIGH_BITS) != 0;
        return control ? NOT_PRINTABLE_ASCII : block;
    }

    /**
     * The per-character UTF-8 path from {@code start} (a multiple of 8 bytes so far), with full validation, for one
     * lane; non-ASCII keys take it once per lane.
     */
    private static long general(String key, int start, long h) {
        int n = key.length();
        long word = 0;
        int shift = 0;
        int bytes = start;
        for (int i = start; i < n; i++) {
            char c = key.charAt(i);
            int encoded;
            int count;
            if (c < 0x80) {
                if (c < 0x20 || c == 0x7f) {
                    throw control(c, i);
                }
                encoded = c;
                count = 1;
            } else if (c < 0x800) {
                if (c < 0xa0) {
                    throw control(c, i);
                }
                encoded = (0xc0 | (c >>> 6)) | ((0x80 | (c & 0x3f)) << 8);
                count = 2;
            } else if (Character.isSurrogate(c)) {
                char low = i + 1 < n ? key.charAt(i + 1) : 0;
                if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
                    throw new InvalidUserKeyException("user key is not valid UTF-8: unpaired surrogate U+"
                            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i);
                }
                int cp = Character.toCodePoint(c, low);
                i++;
                encoded = (0xf0 | (cp >>> 18)) | ((0x80 | ((cp >>> 12) & 0x3f)) << 8)
                        | ((0x80 | ((cp >>> 6) & 0x3f)) << 16) | ((0x80 | (cp & 0x3f)) << 24);
                count = 4;
            } else {
                encoded = (0xe0 | (c >>> 12)) | ((0x80 | ((c >>> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
                count = 3;
            }
            bytes += count;
            for (int b = 0; b < count; b++) {
                word |= (long) ((encoded >>> (b << 3)) & 0xff) << shift;
                shift += 8;
                if (shift == 64) {
                    h = mixWord(h, word);
                    word = 0;
                    shift = 0;
                }
            }
        }
        if (bytes > UserKeys.MAX_UTF8_BYTES) {
            throw tooLong(key);
        }
        if (shift != 0) {
            h ^= mixK(word);
        }
        return fmix64(h ^ bytes);
    }

    private static long mixK(long k) {
        return Long.rotateLeft(k * C1, 31) * C2;
    }

    private static long mixWord(long h, long word) {
        long x = h ^ mixK(word);
        return Long.rotateLeft(x, 27) * 5 + 0x52dce729;
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static InvalidUserKeyException tooLong(String key) {
        long bytes = key.codePoints().mapToLong(cp -> cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4).sum();
        return new InvalidUserKeyException("user key is " + bytes + " UTF-8 bytes long, above the limit of "
                + UserKeys.MAX_UTF8_BYTES);
    }

    private static InvalidUserKeyException control(char c, int index) {
        return new InvalidUserKeyException("user key contains control character U+"
                + String.format("%04X", (int) c) + " at index " + index);
    }
}
