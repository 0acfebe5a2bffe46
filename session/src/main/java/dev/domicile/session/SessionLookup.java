package dev.domicile.session;

import java.util.Objects;

/** The outcome of {@link RegionalSessionStore#load(String)}. Only a {@link Found} carries a session. */
public sealed interface SessionLookup {

    /** Why a genuine id has no session. */
    enum Reason {
        /** Never existed, logged out, or rotated away (the old id of a renewed session). */
        NOT_FOUND,
        /** Not used for longer than the idle timeout. */
        IDLE_TIMEOUT,
        /** Older than the absolute timeout. */
        ABSOLUTE_TIMEOUT,
        /** Its user's sessions were revoked after it was authenticated. */
        REVOKED,
        /** Re-homed to another site (reported only by {@link SessionGoneException}; a lookup follows the move). */
        MOVED
    }

    /**
     * The session. If it was re-homed, {@code session.id()} differs from the presented id: send the client the new
     * one. A session from {@link CrossRegionPolicy#LOCAL_READ_ONLY} has {@link Session#readOnly()} set.
     */
    record Found(Session session) implements SessionLookup {
        public Found {
            Objects.requireNonNull(session, "session");
        }
    }

    /** The id was refused without a Redis call; treat the request as carrying no session and issue a new one. */
    record InvalidId(IdRejection rejection) implements SessionLookup {
        public InvalidId {
            Objects.requireNonNull(rejection, "rejection");
        }
    }

    /** The id is genuine but its session does not exist (any more). */
    record Missing(Reason reason) implements SessionLookup {
        public Missing {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Policy {@link CrossRegionPolicy#FORWARD}: the session lives in {@code site}; forward the request there with
     * {@code id}. No Redis was asked, so whether the session still exists is decided there.
     */
    record Forward(String site, SessionId id) implements SessionLookup {
        public Forward {
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(id, "id");
        }
    }
}
