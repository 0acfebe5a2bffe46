package dev.domicile.authority;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices silence from ZooKeeper before the client does. The ZooKeeper client declares itself disconnected only
 * after ⅔ of the session timeout without hearing from the server; this guard sends a tiny read every quarter of the
 * contact timeout and reports contact lost as soon as no read sent within the contact timeout was answered, and
 * regained at the first answer after that. Time is the injected clock's; the guard runs on its watcher's thread,
 * answers arrive on Curator's event thread. Verdicts are reported under this guard's lock, so they arrive in order
 * (lock order: guard, then the snapshot publisher).
 */
final class ContactGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ContactGuard.class);

    /** Told of a verdict change: {@code ok} and why. */
    interface Verdict {
        void changed(boolean ok, String health);
    }

    private final CuratorFramework client;
    private final String path;
    private final long timeoutMillis;
    private final Clock clock;
    private final Verdict verdict;
    private volatile boolean curatorConnected;
    private volatile long lastAnsweredSend;
    private boolean lost;

    ContactGuard(CuratorFramework client, String path, Duration timeout, Clock clock, Verdict verdict) {
        this.client = client;
        this.path = path;
        this.timeoutMillis = timeout.toMillis();
        this.clock = clock;
        this.verdict = verdict;
        this.lastAnsweredSend = clock.millis();
    }

    void start(ScheduledExecutorService executor) {
        long period = Math.max(1, timeoutMillis / 4);
        executor.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Curator's view; a fresh connection counts as contact. */
    synchronized void curatorConnected(boolean connected) {
        curatorConnected = connected;
        if (connected) {
            lastAnsweredSend = clock.millis();
            lost = false;
        }
    }

    private void tick() {
        if (!curatorConnected) {
            return;
        }
        long sent = clock.millis();
        try {
            client.checkExists().inBackground((c, event) -> answered(sent, event.getResultCode())).forPath(path);
        } catch (Exception e) {
            LOG.debug("heartbeat to ZooKeeper not sent: {}", e.toString());
        }
        synchronized (this) {
            if (curatorConnected && !lost && sent - lastAnsweredSend > timeoutMillis) {
                lost = true;
                verdict.changed(false, "no answer from ZooKeeper for over " + timeoutMillis + " ms");
            }
        }
    }

    private void answered(long sent, int resultCode) {
        if (resultCode != KeeperException.Code.OK.intValue() && resultCode != KeeperException.Code.NONODE.intValue()) {
            return;
        }
        synchronized (this) {
            lastAnsweredSend = Math.max(lastAnsweredSend, sent);
            if (lost && curatorConnected) {
                lost = false;
                verdict.changed(true, "ZooKeeper answers again");
            }
        }
    }
}
