package dev.domicile.session;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The read-only copies of remote sessions kept under {@link CrossRegionPolicy#LOCAL_READ_ONLY}: bounded in number
 * (oldest dropped first) and in age. Thread-safe (synchronized; the map is small and the critical sections short).
 */
final class ReadOnlyCopies {

    private record Copy(Session session, Instant fetchedAt) {
    }

    private final Duration staleness;
    private final Map<SessionId, Copy> copies;

    ReadOnlyCopies(Duration staleness, int capacity) {
        this.staleness = staleness;
        this.copies = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<SessionId, Copy> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The copy of {@code id} if it is younger than the staleness bound at {@code now}. */
    synchronized Session get(SessionId id, Instant now) {
        Copy copy = copies.get(id);
        if (copy == null) {
            return null;
        }
        if (!now.isBefore(copy.fetchedAt().plus(staleness))) {
            copies.remove(id);
            return null;
        }
        return copy.session();
    }

    synchronized void put(Session session, Instant fetchedAt) {
        copies.put(session.id(), new Copy(session, fetchedAt));
    }

    synchronized void remove(SessionId id) {
        copies.remove(id);
    }

    /** Drops every copy of {@code userKey}'s sessions (a revocation arrived). */
    synchronized void removeUser(String userKey) {
        copies.values().removeIf(copy -> copy.session().userKey().filter(userKey::equals).isPresent());
    }
}
