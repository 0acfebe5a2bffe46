package dev.domicile.router;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed number of counters that every borrow increments, without an atomic read-modify-write (a full fence) in the
 * usual case. Thread-safe; a sum read while others count may miss their latest increments, as with
 * {@link LongAdder#sum()}, but no increment is ever lost.
 *
 * <p>How: the counters live in one array of {@value #ROWS} rows, one row per slot chosen by thread id. A platform
 * thread claims its slot on its first increment (one compare-and-set of the slot's owner); from then on only it
 * writes that row, with plain opaque stores, and a slot is never taken from a live owner, so the owner's check is a
 * plain read of the owner array. {@link #sum(int)} adds all rows. A slot whose owner has terminated is taken over,
 * with the counts in it, by the next thread that lands there (a thread's termination happens-before
 * {@link Thread#isAlive()} returning false to another thread, so its last increments are seen). Virtual threads (one
 * per task) and threads whose slot is held by another live thread count in shared {@link LongAdder}s instead. Rows are
 * a cache line apart from each other and from the array's header, so that owners on different cores share no line
 * with each other or with the owner array; a slot holds its owner {@link Thread} until it is taken over.
 *
 * <p>Design note: an increment is two short chains of loads (owner array then the slot's owner, compared; counts
 * array then the counter), where an earlier layout with a row object per thread chained five. Measured on the borrow
 * ({@code RoutingDataSourceBenchmark}), counting costs about the same either way, and as much as a racy plain
 * increment of one shared array would: the cost is having a store there at all, not finding the row.
 */
final class Counters {

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle OWNERS = MethodHandles.arrayElementVarHandle(Thread[].class);
    static final int ROWS = 64;
    /** Longs of padding before the first row and after each row: a cache line. */
    private static final int PAD = 8;

    private final int size;
    private final int stride;
    private final Thread[] owners = new Thread[ROWS];
    private final long[] counts;
    private final LongAdder[] shared;

    /** @param size how many counters, indexed {@code 0 .. size - 1} */
    Counters(int size) {
        this.size = size;
        this.stride = size + PAD;
        this.counts = new long[PAD + ROWS * stride];
        this.shared = new LongAdder[size];
        for (int i = 0; i < size; i++) {
            shared[i] = new LongAdder();
        }
    }

    /** Adds one to counter {@code index}. @throws IndexOutOfBoundsException unless {@code 0 <= index < size} */
    void increment(int index) {
        Objects.checkIndex(index, size);
        Thread thread = Thread.currentThread();
        int slot = slotOf(thread);
        // A plain read is enough: only this thread ever writes itself here, and nobody replaces it while it lives.
        if (owners[slot] == thread) {
            int at = PAD + slot * stride + index;
            COUNTS.setOpaque(counts, at, counts[at] + 1);
            return;
        }
        incrementSlow(thread, slot, index);
    }

    private void incrementSlow(Thread thread, int slot, int index) {
        if (!thread.isVirtual()) {
            Thread owner = (Thread) OWNERS.getVolatile(owners, slot);
            if (owner == null || !owner.isAlive()) {
                if (OWNERS.compareAndSet(owners, slot, owner, thread)) {
                    int at = PAD + slot * stride + index;
                    COUNTS.setOpaque(counts, at, (long) COUNTS.getOpaque(counts, at) + 1);
                    return;
                }
            }
        }
        shared[index].increment();
    }

    /** Counter {@code index} over every thread, including increments of threads that have terminated. */
    long sum(int index) {
        Objects.checkIndex(index, size);
        long sum = shared[index].sum();
        for (int slot = 0; slot < ROWS; slot++) {
            sum += (long) COUNTS.getOpaque(counts, PAD + slot * stride + index);
        }
        return sum;
    }

    private static int slotOf(Thread thread) {
        return (int) thread.threadId() & (ROWS - 1);
    }
}
