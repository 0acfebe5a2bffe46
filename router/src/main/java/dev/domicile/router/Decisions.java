package dev.domicile.router;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers decisions to listeners and counts them by reason and by token outcome. Thread-safe. */
final class Decisions {

    private static final Logger LOG = LoggerFactory.getLogger(Decisions.class);

    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder routerStatements = new LongAdder();
    private final LongAdder splitBrainRefusals = new LongAdder();
    private final Map<RoutingDecision.Reason, LongAdder> byReason = new EnumMap<>(RoutingDecision.Reason.class);
    private final Map<RoutingDecision.TokenOutcome, LongAdder> byToken =
            new EnumMap<>(RoutingDecision.TokenOutcome.class);

    Decisions() {
        for (RoutingDecision.Reason reason : RoutingDecision.Reason.values()) {
            byReason.put(reason, new LongAdder());
        }
        for (RoutingDecision.TokenOutcome outcome : RoutingDecision.TokenOutcome.values()) {
            byToken.put(outcome, new LongAdder());
        }
    }

    void add(RoutingListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    void remove(RoutingListener listener) {
        listeners.remove(listener);
    }

    void publish(RoutingDecision decision) {
        byReason.get(decision.reason()).increment();
        byToken.get(decision.token()).increment();
        if (listeners.isEmpty()) {
            return;
        }
        for (RoutingListener listener : listeners) {
            try {
                listener.onDecision(decision);
            } catch (RuntimeException e) {
                LOG.warn("routing listener {} failed on {}", listener, decision, e);
            }
        }
    }

    /** Counts a statement the router itself sent on a pooled connection (token wait, token record, read-only). */
    void routerStatement() {
        routerStatements.increment();
    }

    long routerStatements() {
        return routerStatements.sum();
    }

    /** Counts a write refused because its partition had more than one writable database. */
    void splitBrain() {
        splitBrainRefusals.increment();
    }

    long splitBrainRefusals() {
        return splitBrainRefusals.sum();
    }

    Map<RoutingDecision.Reason, Long> countsByReason() {
        Map<RoutingDecision.Reason, Long> counts = new EnumMap<>(RoutingDecision.Reason.class);
        byReason.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    Map<RoutingDecision.TokenOutcome, Long> countsByToken() {
        Map<RoutingDecision.TokenOutcome, Long> counts = new EnumMap<>(RoutingDecision.TokenOutcome.class);
        byToken.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }
}
