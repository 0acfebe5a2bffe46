package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks a router for admission of one partition about once a millisecond on its own thread, the way writes would, and
 * records every admission with the time the call started. Also records the admission listener's events.
 */
final class AdmissionProbe implements AdmissionListener, AutoCloseable {

    record Admitted(long startNanos, long epoch) {
    }

    record Event(long nanos, String what, long epoch) {
    }

    final List<Admitted> admitted = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    private final WriteAdmission admission;
    private final PartitionId partition;
    private final Thread thread;
    private volatile boolean running = true;

    AdmissionProbe(WriteAdmission admission, PartitionId partition) {
        this.admission = admission;
        this.partition = partition;
        admission.addListener(this);
        this.thread = Thread.ofPlatform().daemon().name("admission-probe-" + partition).start(this::run);
    }

    private void run() {
        long lastEpoch = -1;
        long lastRecord = 0;
        while (running) {
            long start = System.nanoTime();
            try {
                Admission a = admission.admit(partition);
                // keep the log small: one record per epoch change and per 50 ms
                if (a.epoch() != lastEpoch || start - lastRecord > 50_000_000L) {
                    admitted.add(new Admitted(start, a.epoch()));
                    lastEpoch = a.epoch();
                    lastRecord = start;
                }
            } catch (NotAuthoritativeException e) {
                lastEpoch = -1;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Admissions whose call started at or after {@code nanos}. */
    List<Admitted> admittedSince(long nanos) {
        return admitted.stream().filter(a -> a.startNanos() >= nanos).toList();
    }

    long firstStop() {
        return events.stream().filter(e -> e.what().equals("stopped")).mapToLong(Event::nanos).min()
                .orElseThrow(() -> new AssertionError("admission never stopped; events " + events));
    }

    @Override
    public void onStopped(PartitionId stopped, String reason) {
        if (stopped.equals(partition)) {
            events.add(new Event(System.nanoTime(), "stopped", -1));
        }
    }

    @Override
    public void onResumed(Admission resumed) {
        if (resumed.partition().equals(partition)) {
            events.add(new Event(System.nanoTime(), "resumed", resumed.epoch()));
        }
    }

    @Override
    public void close() {
        running = false;
        admission.removeListener(this);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
