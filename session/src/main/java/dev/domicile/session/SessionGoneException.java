package dev.domicile.session;

/** The session no longer exists (it expired, was revoked, logged out or moved) when it was to be changed. */
public final class SessionGoneException extends SessionStoreException {

    private static final long serialVersionUID = 1L;

    private final SessionLookup.Reason reason;

    SessionGoneException(SessionLookup.Reason reason) {
        super("the session is gone: " + reason, null);
        this.reason = reason;
    }

    /** Why it is gone. */
    public SessionLookup.Reason reason() {
        return reason;
    }
}
