package dev.domicile.micronaut;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the nonces of the forwarded requests this process admitted until their deadlines pass, so that a signed
 * request replayed before its deadline is refused. Entries whose deadline passed are purged every
 * {@value #PURGE_EVERY} admissions, so memory holds at most the requests admitted within one
 * {@code domicile.forwarding.timeout} plus {@value #PURGE_EVERY}. Per process: a replay sent to another process of
 * the same site is not seen (route forwarded requests of one site to one process, or accept that window).
 * Thread-safe.
 */
final class ReplayGuard {

    static final int PURGE_EVERY = 1024;

    private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicLong admissions = new AtomicLong();
    private final Clock clock;

    ReplayGuard(Clock clock) {
        this.clock = clock;
    }

    /** Whether {@code nonce} is used for the first time (then it is remembered until {@code deadlineMillis}). */
    boolean firstUse(String nonce, long deadlineMillis) {
        if (seen.putIfAbsent(nonce, deadlineMillis) != null) {
            return false;
        }
        if (admissions.incrementAndGet() % PURGE_EVERY == 0) {
            long now = clock.millis();
            seen.values().removeIf(deadline -> deadline < now);
        }
        return true;
    }

    /** How many nonces are remembered now. */
    int size() {
        return seen.size();
    }
}
