package dev.domicile.session;

/** An attribute, or the session as a whole, would exceed its {@link AttributeLimits}. Nothing was written. */
public final class AttributeLimitException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    AttributeLimitException(String message) {
        super(message);
    }
}
