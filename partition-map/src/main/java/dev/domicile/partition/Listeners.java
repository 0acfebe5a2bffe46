package dev.domicile.partition;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of one store; a failing listener is logged and skipped. Thread-safe. */
final class Listeners {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<PartitionMapListener> listeners = new CopyOnWriteArrayList<>();

    void add(PartitionMapListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(PartitionMapListener listener) {
        listeners.remove(listener);
    }

    void fire(Consumer<PartitionMapListener> event) {
        for (PartitionMapListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("partition map listener {} failed", listener, e);
            }
        }
    }
}
