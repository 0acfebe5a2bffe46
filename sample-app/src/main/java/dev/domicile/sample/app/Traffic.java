package dev.domicile.sample.app;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this region did with the notes requests it received: served here, forwarded to the user's home region or,
 * once authority has moved, the partition's owner (which answered), or refused (answered 403, 421, 502, 503 or 504: a forwarding or authority refusal, or a home that could
 * not be reached). Other failures (400, 500) are in none of the three. Thread-safe counters.
 */
@Singleton
final class Traffic {

    private final LongAdder served = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** Counts one answer to a notes request: {@code servedBy} is its {@code X-Domicile-Site}, if any. */
    void count(int status, String servedBy, String localSite) {
        if (status == 403 || status == 421 || status == 502 || status == 503 || status == 504) {
            refused.increment();
        } else if (servedBy != null && !servedBy.equals(localSite)) {
            forwarded.increment();
        } else if (status < 400) {
            served.increment();
        }
    }

    /** The counts now. */
    Counts counts() {
        return new Counts(served.sum(), forwarded.sum(), refused.sum());
    }

    /**
     * The counts.
     *
     * @param served    answered here with success
     * @param forwarded passed on to the user's home (or the partition's owner), whose answer was returned
     * @param refused   refused here or by the home
     */
    public record Counts(long served, long forwarded, long refused) {
    }
}
