package dev.domicile.router.faults;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Who held a partition's authority at which epoch, and from when (the client's {@link System#nanoTime()}): the
 * truth a {@link HistoryChecker} judges writes against. An epoch counts from the moment its claim <em>began</em>
 * (before the compare-and-set), the earliest instant the authority may have moved, so the check is strict for the
 * writers of the epoch before. Thread-safe.
 */
final class AuthorityTimeline {

    /** Epoch {@code epoch} owned by {@code owner} from {@code fromNanos}. */
    record Term(long epoch, String owner, long fromNanos) {
        Term {
            Objects.requireNonNull(owner, "owner");
        }
    }

    private final List<Term> terms = new CopyOnWriteArrayList<>();

    /** A timeline whose first epoch (1, as {@code initialize} makes it) has held since long before the test. */
    static AuthorityTimeline startingWith(String owner) {
        AuthorityTimeline timeline = new AuthorityTimeline();
        timeline.add(1, owner, Long.MIN_VALUE);
        return timeline;
    }

    /** Records a new epoch; epochs must be added in increasing order. */
    void add(long epoch, String owner, long fromNanos) {
        if (!terms.isEmpty() && terms.getLast().epoch() >= epoch) {
            throw new IllegalArgumentException("epoch " + epoch + " added after " + terms.getLast().epoch());
        }
        terms.add(new Term(epoch, owner, fromNanos));
    }

    Optional<Term> term(long epoch) {
        return terms.stream().filter(t -> t.epoch() == epoch).findFirst();
    }

    /** When the epoch after {@code epoch} began, {@link Long#MAX_VALUE} if none did. */
    long supersededAt(long epoch) {
        return terms.stream().filter(t -> t.epoch() > epoch).mapToLong(Term::fromNanos).min().orElse(Long.MAX_VALUE);
    }

    List<Term> terms() {
        return List.copyOf(terms);
    }

    long lastEpoch() {
        return terms.getLast().epoch();
    }
}
