package dev.domicile.authority;

/**
 * Told of what an {@link AuthorityWatcher} sees. Every method has a no-op default.
 *
 * <p>Called in snapshot order, under the watcher's publication lock, from the Curator connection-state thread or the
 * watcher's own thread: methods must be thread-safe and return quickly. An exception thrown by a listener is logged
 * and does not affect the watcher or other listeners.
 */
public interface AuthorityListener {

    /** A new snapshot is in force (also when only liveness or a lease changed). */
    default void onSnapshot(AuthoritySnapshot previous, AuthoritySnapshot current) {
    }

    /** The authority of a partition changed; {@code previous} is null the first time it is seen. */
    default void onChange(Authority previous, Authority current) {
    }

    /** A node was refused; the last good authority stays in force. */
    default void onRejected(AuthorityRejection rejection) {
    }
}
