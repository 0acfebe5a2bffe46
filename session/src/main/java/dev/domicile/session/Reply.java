package dev.domicile.session;

import java.util.List;

/** A script's answer, classified. */
sealed interface Reply {

    /** The script succeeded; {@code values} is its whole table, status first. */
    record Ok(List<Object> values) implements Reply {
    }

    /** The session is not there. */
    record Gone(SessionLookup.Reason reason) implements Reply {
    }

    /** The session was re-homed; {@code newId} is the unverified forwarding pointer. */
    record Moved(String newId) implements Reply {
    }

    /** The session was saved since the snapshot ({@code TOMBSTONE}) or the new id exists ({@code CREATE}). */
    record Conflict() implements Reply {
    }

    static Reply of(List<Object> values) {
        String status = (String) values.getFirst();
        return switch (status) {
            case "ok" -> new Ok(values);
            case "none" -> new Gone(SessionLookup.Reason.NOT_FOUND);
            case "idle" -> new Gone(SessionLookup.Reason.IDLE_TIMEOUT);
            case "absolute" -> new Gone(SessionLookup.Reason.ABSOLUTE_TIMEOUT);
            case "revoked" -> new Gone(SessionLookup.Reason.REVOKED);
            case "moved" -> new Moved(values.size() > 1 ? (String) values.get(1) : "");
            case "changed", "exists" -> new Conflict();
            default -> throw new IllegalStateException("unexpected session script status '" + status + "'");
        };
    }
}
