package dev.domicile.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting for a server-side condition, for the testkit's own start-up and fault steps (tests use Awaitility). */
final class Polling {

    private Polling() {
    }

    /**
     * Polls {@code condition} every 100 ms until it holds; an exception from it counts as not yet.
     *
     * @throws TopologyException naming {@code who} and {@code what} if it does not hold within {@code timeout}
     */
    static void await(String who, String what, Duration timeout, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopologyException("interrupted while waiting for " + what, e);
            }
        }
        throw new TopologyException(who + " did not reach: " + what + " within " + timeout
                + (last == null ? "" : " (last error: " + last + ")"), last);
    }
}
