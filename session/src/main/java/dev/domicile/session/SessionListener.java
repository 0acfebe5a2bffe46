package dev.domicile.session;

/**
 * Hears what a {@link RegionalSessionStore} sees, e.g. to export metrics. Methods run on store or Redisson threads,
 * must be quick and must not throw (a thrown exception is logged and ignored).
 */
public interface SessionListener {

    /** A presented id was refused without a Redis call. */
    default void onIdRejected(IdRejection rejection) {
    }

    /** A revocation of {@code userKey}'s sessions reached this store's site. */
    default void onUserRevoked(String userKey) {
    }
}
