package dev.domicile.session;

/**
 * The Redis of {@link #site()} could not be reached or did not answer in time. The store fails closed: the sessions
 * of that site are unavailable (never served from elsewhere, never written elsewhere); other sites are unaffected.
 */
public final class RegionUnavailableException extends SessionStoreException {

    private static final long serialVersionUID = 1L;

    private final String site;

    RegionUnavailableException(String site, Throwable cause) {
        super("the session store of site '" + site + "' is unavailable: " + cause.getMessage(), cause);
        this.site = site;
    }

    /** The site whose Redis failed. */
    public String site() {
        return site;
    }
}
