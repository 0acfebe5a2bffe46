package dev.domicile.sample.drill;

import java.io.PrintStream;
import java.net.URI;
import java.util.List;

/**
 * Runs the failover drill on demand (the status page's button) on its own thread, one at a time and at most once
 * per demo (a drill moves a partition's primary for good), and tells how it goes. Thread-safe.
 */
public final class DrillRunner {

    private final AuthorityAgents agents;
    private final String victim;
    private final String standby;
    private final URI service;
    private final PrintStream out;
    private Drill drill;
    private DrillReport report;
    private String failure;
    private boolean running;

    /**
     * A runner of the drill against {@code victim} with {@code standby} taking over, a user writing through
     * {@code service} (the victim's notes service, or null), printing to {@code out}.
     */
    public DrillRunner(AuthorityAgents agents, String victim, String standby, URI service, PrintStream out) {
        this.agents = agents;
        this.victim = victim;
        this.standby = standby;
        this.service = service;
        this.out = out;
    }

    /**
     * Starts the drill on a new thread.
     *
     * @throws IllegalStateException if a drill already ran or runs
     */
    public synchronized State start() {
        if (drill != null) {
            throw new IllegalStateException(running ? "the drill is running" : "the drill has already run: it moved"
                    + " a primary for good; restart the demo to run it again");
        }
        drill = Drill.prepare(agents, victim, standby, service, out);
        running = true;
        Thread.ofPlatform().name("domicile-drill").daemon(true).start(this::runDrill);
        return state();
    }

    /** Runs the drill on this thread and returns its report (the {@code --drill} flag). */
    public DrillReport runHere() throws Exception {
        synchronized (this) {
            if (drill != null) {
                throw new IllegalStateException("the drill has already run or runs");
            }
            drill = Drill.prepare(agents, victim, standby, service, out);
            running = true;
        }
        return finish();
    }

    private void runDrill() {
        try {
            finish();
        } catch (Exception e) {
            if (out != null) {
                out.println("drill failed: " + e);
            }
        }
    }

    private DrillReport finish() throws Exception {
        try {
            DrillReport done = drill.run();
            if (out != null) {
                out.print(done.format());
            }
            synchronized (this) {
                report = done;
            }
            return done;
        } catch (Exception e) {
            synchronized (this) {
                failure = e.toString();
            }
            throw e;
        } finally {
            synchronized (this) {
                running = false;
            }
        }
    }

    /** Where the drill is. */
    public synchronized State state() {
        return new State(victim, standby, drill == null ? "not run" : running ? "running"
                : failure != null ? "failed" : "done", drill == null ? List.of() : drill.steps(),
                report == null ? null : report.format().trim(), failure);
    }

    /**
     * Where the drill is.
     *
     * @param victim  the region it cuts off
     * @param standby the region that takes over
     * @param status  {@code not run}, {@code running}, {@code done} or {@code failed}
     * @param steps   its timeline so far
     * @param summary the summary once done
     * @param failure why it failed, if it did
     */
    public record State(String victim, String standby, String status, List<Timeline.Step> steps, String summary,
                        String failure) {
    }
}
