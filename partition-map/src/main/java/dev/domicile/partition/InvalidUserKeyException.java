package dev.domicile.partition;

/**
 * A user key breaks the rules of {@link UserKeys}. The message names the rule; it never repeats the key, which may be
 * personal data.
 */
public final class InvalidUserKeyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidUserKeyException(String message) {
        super(message);
    }
}
