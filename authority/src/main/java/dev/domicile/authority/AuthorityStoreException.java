package dev.domicile.authority;

/** ZooKeeper refused or failed an authority operation (no connection, no permission, a malformed node). */
public final class AuthorityStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    AuthorityStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    AuthorityStoreException(String message) {
        super(message);
    }
}
