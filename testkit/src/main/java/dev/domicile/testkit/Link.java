package dev.domicile.testkit;

import java.time.Duration;
import java.util.List;

/**
 * A network path that faults can be injected into at runtime: one {@link FaultProxy}, or several controlled together
 * (e.g. every path from one site to a ZooKeeper ensemble).
 *
 * <p>All methods take effect at once for connections already open and for new ones, and are safe to call from any
 * thread. A link starts healthy.
 */
public interface Link {

    /** A readable name, e.g. {@code eu-west->eu-west-primary}. */
    String name();

    /** Adds {@code latency} to every byte, in each direction, until {@link #heal()}. Zero means no added latency. */
    void delay(Duration latency);

    /**
     * Stops delivering bytes in both directions while keeping every connection open, as a cut cable does: peers see
     * silence and time out. Bytes already sent are held, not dropped, and are delivered in order after {@link #heal()}
     * (as TCP retransmission would deliver them), unless a peer closed its connection in the meantime. New connections
     * are accepted but reach nothing until healed.
     */
    void blackhole();

    /** Closes every open connection with a TCP reset. New connections are accepted as before. */
    void reset();

    /** Ends {@link #blackhole()} and {@link #delay(Duration)}: bytes flow again, held bytes first. */
    void heal();

    /** A link that applies every operation to all of {@code links}, in order. */
    static Link of(String name, List<? extends Link> links) {
        List<Link> copy = List.copyOf(links);
        return new Link() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void delay(Duration latency) {
                copy.forEach(l -> l.delay(latency));
            }

            @Override
            public void blackhole() {
                copy.forEach(Link::blackhole);
            }

            @Override
            public void reset() {
                copy.forEach(Link::reset);
            }

            @Override
            public void heal() {
                copy.forEach(Link::heal);
            }

            @Override
            public String toString() {
                return "Link[" + name + " over " + copy.size() + " proxies]";
            }
        };
    }
}
