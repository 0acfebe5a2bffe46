package dev.domicile.testkit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The fault state of one {@link FaultProxy}, shared by all its connections: open, delayed or blackholed. */
final class Gate {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean blackholed;
    private long delayNanos;

    void delay(long nanos) {
        update(false, nanos);
    }

    void blackhole() {
        lock.lock();
        try {
            blackholed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void heal() {
        update(false, 0);
    }

    private void update(boolean blackholed, long delayNanos) {
        lock.lock();
        try {
            this.blackholed = blackholed;
            this.delayNanos = delayNanos;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until bytes read at {@code readAtNanos} may be delivered: the gate is not blackholed and the delay in
     * force has elapsed since they were read. A delay changed while waiting applies at once.
     */
    void awaitDelivery(long readAtNanos) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (blackholed) {
                    changed.await();
                    continue;
                }
                long wait = readAtNanos + delayNanos - System.nanoTime();
                if (wait <= 0) {
                    return;
                }
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Blocks while blackholed; used before opening an upstream connection. */
    void awaitOpen() throws InterruptedException {
        lock.lock();
        try {
            while (blackholed) {
                changed.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return blackholed ? "blackholed" : delayNanos > 0 ? "delay " + delayNanos / 1_000_000 + "ms" : "open";
        } finally {
            lock.unlock();
        }
    }
}
