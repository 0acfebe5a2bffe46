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
    private static final RoutingDecision.Reason[] REASONS = RoutingDecision.Reason.values();
    private static final RoutingDecision.TokenOutcome[] TOKENS = RoutingDecision.TokenOutcome.values();

    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder routerStatements = new LongAdder();
    private final LongAdder splitBrainRefusals = new LongAdder();
    /** One counter per reason and token outcome, so that a decision costs one increment. */
    private final LongAdder[] counts = new LongAdder[REASONS.length * TOKENS.length];

    Decisions() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void add(RoutingListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    void remove(RoutingListener listener) {
        listeners.remove(listener);
    }

    /** Counts {@code decision} and gives it to every listener (none: no further work). */
    void publish(RoutingDecision decision) {
        counts[decision.reason().ordinal() * TOKENS.length + decision.token().ordinal()].increment();
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
        Map<RoutingDecision.Reason, Long> byReason = new EnumMap<>(RoutingDecision.Reason.class);
        for (RoutingDecision.Reason reason : REASONS) {
            long sum = 0;
            for (RoutingDecision.TokenOutcome token : TOKENS) {
                sum += counts[reason.ordinal() * TOKENS.length + token.ordinal()].sum();
            }
            byReason.put(reason, sum);
        }
        return byReason;
    }

    Map<RoutingDecision.TokenOutcome, Long> countsByToken() {
        Map<RoutingDecision.TokenOutcome, Long> byToken = new EnumMap<>(RoutingDecision.TokenOutcome.class);
        for (RoutingDecision.TokenOutcome token : TOKENS) {
            long sum = 0;
            for (RoutingDecision.Reason reason : REASONS) {
                sum += counts[reason.ordinal() * TOKENS.length + token.ordinal()].sum();
            }
            byToken.put(token, sum);
        }
        return byToken;
    }
}
