package dev.domicile.session;

/**
 * A read-only copy (policy {@link CrossRegionPolicy#LOCAL_READ_ONLY}) was to be changed; change it in its home site.
 */
public final class ReadOnlySessionException extends SessionStoreException {

    private static final long serialVersionUID = 1L;

    ReadOnlySessionException(String site) {
        super("this session is a read-only copy of a session homed in '" + site + "'; change it there", null);
    }
}
