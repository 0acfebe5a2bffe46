package dev.domicile.router;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Re-runs a whole unit of work that failed with a serialization failure (SQLState {@value #SERIALIZATION_FAILURE}),
 * a bounded number of times, only where the caller opted in. CockroachDB reports every retryable transaction error
 * with this state, and PostgreSQL reports it for SERIALIZABLE and REPEATABLE READ conflicts; the transaction was
 * rolled back, so running it again is safe when the unit owns its transactions (opens, commits and closes its
 * connections), which is the caller's promise when opting in. Nothing else is retried: not
 * {@code 40003} (statement completion unknown: the commit may have happened), not connection failures.
 *
 * <pre>{@code
 * router.forUser("alice").retryingSerializationFailures(3).call(() -> transfer(dataSource, 10));
 * Retry.serializationFailures(3).call(() -> ...);   // the same without a routing context of its own
 * }</pre>
 *
 * <p>Between attempts it sleeps a random time below an exponentially growing bound (full jitter), from
 * {@code initialBackoff} up to {@code maxBackoff}. When the retries are spent, the last failure is thrown with the
 * earlier ones attached as suppressed exceptions. Immutable and thread-safe.
 *
 * @param maxRetries     how many times the work may run again after its first attempt
 * @param initialBackoff the bound of the first pause (zero: no pauses)
 * @param maxBackoff     the largest bound of a pause
 */
public record Retry(int maxRetries, Duration initialBackoff, Duration maxBackoff) {

    /** SQLState {@code serialization_failure}. */
    public static final String SERIALIZATION_FAILURE = "40001";

    public Retry {
        if (maxRetries < 0 || maxRetries > 100) {
            throw new IllegalArgumentException("maxRetries must be in 0..100, was " + maxRetries);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initialBackoff <= maxBackoff, was "
                    + initialBackoff + " and " + maxBackoff);
        }
    }

    /** Up to {@code maxRetries} re-runs, pausing from 10 ms up to 1 s. */
    public static Retry serializationFailures(int maxRetries) {
        return new Retry(maxRetries, Duration.ofMillis(10), Duration.ofSeconds(1));
    }

    /** This policy with other pause bounds. */
    public Retry backoff(Duration initial, Duration max) {
        return new Retry(maxRetries, initial, max);
    }

    /**
     * Runs {@code work}, again after each serialization failure until the retries are spent.
     *
     * @throws Exception what the last attempt threw; earlier serialization failures are suppressed in it
     */
    public <T> T call(Callable<T> work) throws Exception {
        Objects.requireNonNull(work, "work");
        List<Exception> earlier = null;
        for (int attempt = 0; ; attempt++) {
            try {
                return work.call();
            } catch (Exception e) {
                if (attempt >= maxRetries || !isSerializationFailure(e)) {
                    throw withEarlier(e, earlier);
                }
                earlier = earlier == null ? new ArrayList<>() : earlier;
                earlier.add(e);
                if (!pause(attempt)) {
                    e.addSuppressed(new InterruptedException("interrupted before retry " + (attempt + 1)));
                    throw withEarlier(e, earlier.subList(0, earlier.size() - 1));
                }
            }
        }
    }

    /** As {@link #call(Callable)}, for work that throws unchecked exceptions (e.g. jOOQ's, wrapping the failure). */
    public void run(Runnable work) {
        Objects.requireNonNull(work, "work");
        try {
            call(() -> {
                work.run();
                return null;
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a Runnable threw a checked exception", e);
        }
    }

    /** Whether {@code failure}, one of its causes, or a chained {@link SQLException} is a serialization failure. */
    public static boolean isSerializationFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    if (SERIALIZATION_FAILURE.equals(next.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Sleeps before the next attempt; false if interrupted (the interrupt flag stays set). */
    private boolean pause(int attempt) {
        if (initialBackoff.isZero()) {
            return true;
        }
        long bound = initialBackoff.toNanos() << Math.min(attempt, 20);
        bound = bound <= 0 || bound > maxBackoff.toNanos() ? maxBackoff.toNanos() : bound;
        try {
            Thread.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(bound + 1)));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last failure, carrying the earlier attempts' failures as suppressed exceptions. */
    private static Exception withEarlier(Exception last, List<Exception> earlier) {
        if (earlier != null) {
            earlier.forEach(last::addSuppressed);
        }
        return last;
    }
}
