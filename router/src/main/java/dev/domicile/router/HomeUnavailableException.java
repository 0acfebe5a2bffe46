package dev.domicile.router;

import java.time.Duration;
import java.util.List;

/**
 * The primary of the user's home partition cannot be reached or is not a writable primary now, so a write (or a read
 * that needs the primary) fails at once instead of waiting. {@link #retryAfter()} says when trying again may help:
 * the monitor probes a down endpoint at least that often.
 */
public final class HomeUnavailableException extends NoRouteException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    HomeUnavailableException(String what, List<String> attempts, Duration retryAfter) {
        super(what, attempts, null);
        this.retryAfter = retryAfter;
    }

    /** When a retry may succeed. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
