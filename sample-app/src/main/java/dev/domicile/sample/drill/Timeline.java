package dev.domicile.sample.drill;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened during a drill, each step with its time since the drill began; printed as it happens (if a stream
 * is given) and kept for the report and the status page. Thread-safe.
 */
public final class Timeline {

    private final long start = System.nanoTime();
    private final PrintStream out;
    private final List<Step> steps = new ArrayList<>();

    Timeline(PrintStream out) {
        this.out = out;
    }

    /** Records {@code what} now and returns the time since the drill began, in milliseconds. */
    synchronized long step(String what) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        steps.add(new Step(millis, what));
        if (out != null) {
            out.printf("drill %+7.2f s  %s%n", millis / 1000.0, what);
        }
        return millis;
    }

    /** The steps so far. */
    synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    /**
     * One step.
     *
     * @param atMillis since the drill began
     * @param what     what happened
     */
    public record Step(long atMillis, String what) {
    }
}
