package dev.domicile.session;

/** Why a presented session id was refused. Every refusal happens before any Redis call. */
public enum IdRejection {
    /** Null, empty, over-long, truncated, or not of the form {@code s1.site.tag.random.mac}. */
    MALFORMED,
    /** Well formed, but its site is not one of the configured regions (a foreign or invented id). */
    UNKNOWN_SITE,
    /** Well formed, but its MAC matches neither the current key nor a previous key still in its grace period. */
    BAD_SIGNATURE
}
