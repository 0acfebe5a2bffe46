package dev.domicile.session;

/** Base of the exceptions a {@link RegionalSessionStore} throws for store-side conditions. */
public class SessionStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SessionStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
