package dev.domicile.authority;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A list of listeners of one kind; a failing listener is logged and skipped. Thread-safe. */
final class Listeners<L> {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<L> listeners = new CopyOnWriteArrayList<>();

    void add(L listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(L listener) {
        listeners.remove(listener);
    }

    void fire(Consumer<L> event) {
        for (L listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("authority listener {} failed", listener, e);
            }
        }
    }
}
