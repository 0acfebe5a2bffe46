package dev.domicile.router;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers decisions to listeners and counts them by reason and by token outcome. Thread-safe. Counting a decision
 * costs one plain store in the usual case ({@link Counters}), so a borrow pays no fence here.
 */
final class Decisions {

    private static final Logger LOG = LoggerFactory.getLogger(Decisions.class);
    private static final RoutingDecision.Reason[] REASONS = RoutingDecision.Reason.values();
    private static final RoutingDecision.TokenOutcome[] TOKENS = RoutingDecision.TokenOutcome.values();

    /** Counters {@code 0 .. ROUTER_STATEMENTS - 1}: one per reason and token outcome, so a decision costs one. */
    private static final int ROUTER_STATEMENTS = REASONS.length * TOKENS.length;
    private static final int SPLIT_BRAIN_REFUSALS = ROUTER_STATEMENTS + 1;

    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();
    private final Counters counts = new Counters(SPLIT_BRAIN_REFUSALS + 1);

    void add(RoutingListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    void remove(RoutingListener listener) {
        listeners.remove(listener);
    }

    /** Counts {@code decision} and gives it to every listener (none: no further work). */
    void publish(RoutingDecision decision) {
        counts.increment(decision.reason().ordinal() * TOKENS.length + decision.token().ordinal());
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
        counts.increment(ROUTER_STATEMENTS);
    }

    long routerStatements() {
        return counts.sum(ROUTER_STATEMENTS);
    }

    /** Counts a write refused because its partition had more than one writable database. */
    void splitBrain() {
        counts.increment(SPLIT_BRAIN_REFUSALS);
    }

    long splitBrainRefusals() {
        return counts.sum(SPLIT_BRAIN_REFUSALS);
    }

    Map<RoutingDecision.Reason, Long> countsByReason() {
        Map<RoutingDecision.Reason, Long> byReason = new EnumMap<>(RoutingDecision.Reason.class);
        for (RoutingDecision.Reason reason : REASONS) {
            long sum = 0;
            for (RoutingDecision.TokenOutcome token : TOKENS) {
                sum += counts.sum(reason.ordinal() * TOKENS.length + token.ordinal());
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
                sum += counts.sum(reason.ordinal() * TOKENS.length + token.ordinal());
            }
            byToken.put(token, sum);
        }
        return byToken;
    }
}
