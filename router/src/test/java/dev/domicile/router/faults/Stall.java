package dev.domicile.router.faults;

import dev.domicile.authority.AdmissionListener;
import dev.domicile.partition.PartitionId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stalls a router the way a paused process is stalled: registered as its write admission's first listener and armed,
 * it blocks the thread that reports "stopped" (so the router's own reaction, aborting the open write transactions,
 * cannot run) until released. Never blocks longer than 90 s, so a failing test cannot hang.
 */
final class Stall implements AdmissionListener {

    private final PartitionId partition;
    private final CountDownLatch engaged = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean armed;

    Stall(PartitionId partition) {
        this.partition = partition;
    }

    void arm() {
        armed = true;
    }

    /** Whether the router is stalled now. */
    boolean engaged() {
        return engaged.getCount() == 0 && released.getCount() > 0;
    }

    void release() {
        armed = false;
        released.countDown();
    }

    @Override
    public void onStopped(PartitionId stopped, String reason) {
        if (!armed || !stopped.equals(partition)) {
            return;
        }
        engaged.countDown();
        try {
            released.await(90, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
