package dev.domicile.router.faults;

import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks two sites' write admissions about one partition at the same instant, about once a millisecond on its own
 * thread, and counts the instants both would admit a write (must never happen), and when each last admitted.
 */
final class AdmissionSampler implements AutoCloseable {

    private final WriteAdmission first;
    private final WriteAdmission second;
    private final PartitionId partition;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong both = new AtomicLong();
    private final AtomicLong firstLastAdmitted = new AtomicLong();
    private final AtomicLong secondFirstAdmitted = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    AdmissionSampler(WriteAdmission first, WriteAdmission second, PartitionId partition) {
        this.first = first;
        this.second = second;
        this.partition = partition;
        this.thread = Thread.ofPlatform().daemon().name("admission-sampler-" + partition).start(this::run);
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            boolean a = first.admits(partition);
            boolean b = second.admits(partition);
            samples.incrementAndGet();
            if (a) {
                firstLastAdmitted.set(now);
            }
            if (b) {
                secondFirstAdmitted.compareAndSet(0, now);
            }
            if (a && b) {
                both.incrementAndGet();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    long samples() {
        return samples.get();
    }

    /** Instants at which both sites admitted writes of the partition. */
    long bothAdmitting() {
        return both.get();
    }

    /** The last instant the first site admitted, 0 if never. */
    long firstLastAdmitted() {
        return firstLastAdmitted.get();
    }

    /** The first instant the second site admitted, 0 if never. */
    long secondFirstAdmitted() {
        return secondFirstAdmitted.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
