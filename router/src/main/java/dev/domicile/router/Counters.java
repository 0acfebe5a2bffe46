package dev.domicile.router;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed number of counters that every borrow increments, without an atomic read-modify-write (a full fence) in the
 * usual case. Thread-safe; a sum read while others count may miss their latest increments, as with
 * {@link LongAdder#sum()}, but no increment is ever lost.
 *
 * <p>How: a platform thread claims, on its first increment, a row of counters in a slot chosen by its thread id
 * (one compare-and-set, one allocation per thread and instance). Only the owner writes its row, with plain opaque
 * stores; {@link #sum(int)} adds all rows. A row whose owner has terminated is taken over, counts included, by the
 * next thread that lands in its slot (a thread's termination happens-before {@link Thread#isAlive()} returning false
 * to another thread, so its last increments are seen). Virtual threads (one per task, so a row each would be waste)
 * and threads whose slot is held by another live thread count in shared {@link LongAdder}s instead. Rows hold their
 * owner {@link Thread} until the slot is taken over.
 */
final class Counters {

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    static final int ROWS = 64;

    /** One thread's counters; only {@link #owner} writes them. */
    private static final class Row {
        final Thread owner;
        final long[] counts;

        Row(Thread owner, long[] counts) {
            this.owner = owner;
            this.counts = counts;
        }
    }

    private final int size;
    private final AtomicReferenceArray<Row> rows = new AtomicReferenceArray<>(ROWS);
    private final LongAdder[] shared;

    /** @param size how many counters, indexed {@code 0 .. size - 1} */
    Counters(int size) {
        this.size = size;
        this.shared = new LongAdder[size];
        for (int i = 0; i < size; i++) {
            shared[i] = new LongAdder();
        }
    }

    /** Adds one to counter {@code index}. */
    void increment(int index) {
        Thread thread = Thread.currentThread();
        Row row = rows.getPlain(slotOf(thread));
        if (row != null && row.owner == thread) {
            long[] counts = row.counts;
            COUNTS.setOpaque(counts, index, counts[index] + 1);
            return;
        }
        incrementSlow(thread, index);
    }

    private void incrementSlow(Thread thread, int index) {
        if (!thread.isVirtual()) {
            int slot = slotOf(thread);
            Row row = rows.get(slot);
            if (row != null && row.owner == thread) {
                long[] counts = row.counts;
                COUNTS.setOpaque(counts, index, counts[index] + 1);
                return;
            }
            if (row == null || !row.owner.isAlive()) {
                long[] counts = row == null ? new long[size] : copy(row.counts);
                if (rows.compareAndSet(slot, row, new Row(thread, counts))) {
                    COUNTS.setOpaque(counts, index, counts[index] + 1);
                    return;
                }
            }
        }
        shared[index].increment();
    }

    /** Counter {@code index} over every thread, including increments of threads that have terminated. */
    long sum(int index) {
        long sum = shared[index].sum();
        for (int i = 0; i < ROWS; i++) {
            Row row = rows.get(i);
            if (row != null) {
                sum += (long) COUNTS.getOpaque(row.counts, index);
            }
        }
        return sum;
    }

    private long[] copy(long[] counts) {
        long[] copy = new long[size];
        for (int i = 0; i < size; i++) {
            copy[i] = (long) COUNTS.getOpaque(counts, i);
        }
        return copy;
    }

    private static int slotOf(Thread thread) {
        return (int) thread.threadId() & (ROWS - 1);
    }
}
