package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A directory of unpacked server binaries (and the PostgreSQL template cluster), shared by every topology and kept
 * across runs so that a topology starts in seconds. Entries are keyed by a digest of their source and published by an
 * atomic rename, so concurrent JVMs never see a half-written entry.
 *
 * <p>Location: the system property {@value #PROPERTY}, else {@code ${java.io.tmpdir}/domicile-cache}.
 */
final class BinaryCache {

    static final String PROPERTY = "domicile.testkit.cache";

    /** Fills a fresh directory; called at most once per entry and machine, unless two JVMs race. */
    @FunctionalInterface
    interface Filler {
        void fill(Path directory) throws IOException, InterruptedException;
    }

    private BinaryCache() {
    }

    static Path root() {
        String configured = System.getProperty(PROPERTY);
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "domicile-cache");
    }

    static String digest(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Returns {@code root/name}, filling it first if it does not exist yet. */
    static synchronized Path entry(String name, Filler filler) {
        Path target = root().resolve(name);
        if (Files.isDirectory(target)) {
            return target;
        }
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), name + ".staging-");
            filler.fill(staging);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
                // Another JVM published the same entry first; its content is identical.
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while preparing " + target, e);
        } finally {
            if (staging != null) {
                Files2.deleteRecursively(staging);
            }
        }
    }
}
