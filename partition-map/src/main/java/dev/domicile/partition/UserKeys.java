package dev.domicile.partition;

/**
 * The rules every user key must follow: not null, not empty, at most {@value #MAX_UTF8_BYTES} bytes in UTF-8,
 * well-formed (no unpaired surrogate, so it encodes to valid UTF-8), and no control characters (U+0000–U+001F,
 * U+007F–U+009F). Every method of {@link PartitionMap} that takes a user key applies them.
 */
public final class UserKeys {

    /** The longest user key accepted, in UTF-8 bytes. */
    public static final int MAX_UTF8_BYTES = 256;

    private UserKeys() {
    }

    /**
     * Checks {@code userKey} against the rules above.
     *
     * @return {@code userKey}
     * @throws InvalidUserKeyException naming the broken rule (never the key itself)
     */
    public static String validate(String userKey) {
        KeyHash.routing(userKey);
        return userKey;
    }
}
