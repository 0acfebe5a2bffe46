package dev.domicile.partition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * A partition map kept in one JSON file (format in the module README), for embedded and development use.
 *
 * <p>Changes are compare-and-set within this process and rewrite the whole file atomically (write a sibling, then
 * rename). The file is read once, at {@link #open}; changes made to it by other processes are not seen. Listeners are
 * called on the thread that applies a change. Never {@linkplain #stale() stale}. Thread-safe.
 */
public final class FilePartitionMapStore implements PartitionMapStore {

    private final Path file;
    private final Listeners listeners = new Listeners();
    private volatile PartitionMapDefinition definition;
    private volatile PartitionMap current;
    private volatile boolean closed;

    private FilePartitionMapStore(Path file, PartitionMapDefinition definition) {
        this.file = file;
        this.definition = definition;
        this.current = PartitionMap.of(definition);
    }

    /**
     * Writes {@code initial} to a new file and opens it.
     *
     * @throws PartitionMapStoreException if the file exists or cannot be written
     */
    public static FilePartitionMapStore create(Path file, PartitionMapDefinition initial) {
        Objects.requireNonNull(initial, "initial");
        if (Files.exists(file)) {
            throw new PartitionMapStoreException("cannot create partition map file " + file + ": it already exists;"
                    + " use open()");
        }
        write(file, initial);
        return new FilePartitionMapStore(file, initial);
    }

    /**
     * Reads and opens an existing file.
     *
     * @throws InvalidPartitionMapException if the document is malformed or breaks a rule
     * @throws PartitionMapStoreException  if the file cannot be read
     */
    public static FilePartitionMapStore open(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return new FilePartitionMapStore(file, MapJson.read(MapJson.tree(bytes, file.toString()),
                    file.toString()));
        } catch (IOException e) {
            throw new PartitionMapStoreException("cannot read partition map file " + file + ": " + e, e);
        }
    }

    @Override
    public PartitionMap current() {
        return current;
    }

    @Override
    public boolean stale() {
        return false;
    }

    @Override
    public Optional<Rejection> lastRejection() {
        return Optional.empty();
    }

    @Override
    public synchronized long apply(MapChange change, long expectedVersion) {
        if (closed) {
            throw new IllegalStateException("the partition map store of " + file + " is closed");
        }
        PartitionMapDefinition before = definition;
        if (before.version() != expectedVersion) {
            throw new ConcurrentChangeException(change, expectedVersion, before.version());
        }
        PartitionMapDefinition after = before.apply(change);
        PartitionMap next = PartitionMap.of(after);
        write(file, after);
        PartitionMap previous = current;
        definition = after;
        current = next;
        listeners.fire(l -> l.onUpdate(previous, next));
        return after.version();
    }

    private static void write(Path file, PartitionMapDefinition definition) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(temp, MapJson.bytes(MapJson.write(definition)));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PartitionMapStoreException("cannot write partition map file " + file + ": " + e, e);
        }
    }

    @Override
    public void addListener(PartitionMapListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(PartitionMapListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "FilePartitionMapStore[" + file + ", version " + current.version() + "]";
    }
}
