package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The borrow counters count every increment exactly: from threads counting at once, from virtual threads, from
 * threads that share a row slot (while its owner lives and after it has terminated), per counter; a counter outside
 * the range is refused.
 */
class CountersTest {

    private static final int PER_THREAD = 50_000;

    @Test
    void concurrentPlatformAndVirtualThreadsLoseNoIncrement() throws InterruptedException {
        Counters counters = new Counters(3);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int counter = i % 2;
            threads.add(Thread.ofPlatform().unstarted(() -> count(counters, counter, PER_THREAD, start)));
        }
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofVirtual().unstarted(() -> count(counters, 2, PER_THREAD, start)));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(counters.sum(0)).isEqualTo(4L * PER_THREAD);
        assertThat(counters.sum(1)).isEqualTo(4L * PER_THREAD);
        assertThat(counters.sum(2)).isEqualTo(4L * PER_THREAD);
    }

    @Test
    void threadsThatTerminatedKeepTheirCountsWhenOthersTakeTheirSlots() throws InterruptedException {
        Counters counters = new Counters(2);
        // More threads than row slots, one after the other: every slot is taken over from a terminated owner.
        int threads = 200;
        for (int i = 0; i < threads; i++) {
            Thread thread = Thread.ofPlatform().start(() -> {
                counters.increment(0);
                counters.increment(0);
                counters.increment(1);
            });
            thread.join();
        }
        assertThat(counters.sum(0)).isEqualTo(2L * threads);
        assertThat(counters.sum(1)).isEqualTo(threads);
    }

    @Test
    void aThreadWhoseSlotIsHeldByALiveThreadStillCounts() throws InterruptedException {
        Counters counters = new Counters(1);
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread owner = Thread.ofPlatform().start(() -> {
            counters.increment(0);
            counted.countDown();
            await(release);
            counters.increment(0);
        });
        assertThat(counted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread sameSlot = null;
        for (int i = 0; i < 1_000 && sameSlot == null; i++) {
            Thread candidate = Thread.ofPlatform().unstarted(() -> count(counters, 0, 1_000, new CountDownLatch(0)));
            if ((candidate.threadId() - owner.threadId()) % Counters.ROWS == 0) {
                sameSlot = candidate;
            }
        }
        assertThat(sameSlot).as("a thread whose id lands in the owner's slot").isNotNull();
        sameSlot.start();
        sameSlot.join();
        release.countDown();
        owner.join();
        assertThat(counters.sum(0)).isEqualTo(1_002);
    }

    @Test
    void aCounterOutsideTheRangeIsRefusedAndCountsNothing() {
        Counters counters = new Counters(2);
        counters.increment(1);
        assertThatThrownBy(() -> counters.increment(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> counters.increment(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> counters.sum(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(counters.sum(0)).isZero();
        assertThat(counters.sum(1)).isEqualTo(1);
    }

    private static void count(Counters counters, int counter, int times, CountDownLatch start) {
        await(start);
        for (int i = 0; i < times; i++) {
            counters.increment(counter);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
