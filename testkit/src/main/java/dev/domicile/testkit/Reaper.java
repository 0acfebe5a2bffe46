package dev.domicile.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the servers of embedded topologies whose JVM died without closing them (killed with SIGKILL, halted, or an
 * IDE's hard stop): the database and Redis processes run on, orphaned, holding memory and ports. Every topology marks
 * its work directory with its JVM ({@value #OWNER}: process id and start time); a topology that starts later looks at
 * the work directories beside its own and, for each whose JVM is gone, kills the PostgreSQL and Redis processes
 * recorded there ({@code postmaster.pid}, {@value #REDIS_PID}) and deletes the directory. A process is killed only if
 * it is still a {@code postgres} or {@code redis-server} process (process ids are reused). Stateless.
 */
final class Reaper {

    /** The file that names a work directory's JVM. */
    static final String OWNER = "owner";
    /** The file in a Redis directory that holds its process id. */
    static final String REDIS_PID = "redis.pid";

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);

    private Reaper() {
    }

    /** Marks {@code workDirectory} as this JVM's. */
    static void mark(Path workDirectory) throws IOException {
        Files.writeString(workDirectory.resolve(OWNER), describe(ProcessHandle.current()));
    }

    /** Records the process id of a server started by this JVM in its directory (Redis; PostgreSQL writes its own). */
    static void recordPid(Path directory, Process process) throws IOException {
        Files.writeString(directory.resolve(REDIS_PID), Long.toString(process.pid()));
    }

    /**
     * Reaps the work directories in {@code workDirectory}'s parent whose names start with {@code prefix} and whose JVM
     * is gone (never {@code workDirectory} itself, never one of a live JVM, never one without an owner mark).
     *
     * @return the number of server processes killed
     */
    static int reapSiblings(Path workDirectory, String prefix) {
        Path parent = workDirectory.toAbsolutePath().getParent();
        List<Path> orphans = new ArrayList<>();
        try (Stream<Path> siblings = Files.list(parent)) {
            siblings.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .filter(p -> !p.equals(workDirectory.toAbsolutePath()))
                    .filter(Reaper::orphaned)
                    .forEach(orphans::add);
        } catch (IOException e) {
            LOG.debug("cannot list {} for orphaned topologies: {}", parent, e.toString());
            return 0;
        }
        int killed = 0;
        for (Path orphan : orphans) {
            killed += reap(orphan);
        }
        return killed;
    }

    /** Whether {@code directory} is marked by a JVM that is no longer running. */
    static boolean orphaned(Path directory) {
        Path owner = directory.resolve(OWNER);
        if (!Files.isRegularFile(owner)) {
            return false;
        }
        try {
            String[] fields = Files.readString(owner).strip().split(" ");
            long pid = Long.parseLong(fields[0]);
            Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            return process.isEmpty() || !describe(process.get()).equals(String.join(" ", fields));
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or being written: leave it alone
        }
    }

    /** Kills the servers recorded under an orphaned work directory, then deletes it; returns how many it killed. */
    static int reap(Path directory) {
        int killed = 0;
        try (Stream<Path> files = Files.walk(directory, 4)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.equals("postmaster.pid") && kill(file, "postgres")) {
                    killed++;
                } else if (name.equals(REDIS_PID) && kill(file, "redis-server")) {
                    killed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot walk {}: {}", directory, e.toString());
        }
        Files2.deleteRecursively(directory);
        LOG.info("reaped the embedded topology left by a dead JVM in {}: {} server processes killed", directory,
                killed);
        return killed;
    }

    /** Kills the process whose id is the first line of {@code pidFile} if it still runs {@code command}. */
    private static boolean kill(Path pidFile, String command) {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals(command))
                        .orElse(false));
        if (process.isEmpty()) {
            return false;
        }
        ProcessHandle server = process.get();
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
        try {
            server.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("orphaned {} (pid {}) did not exit within 10 s of SIGKILL", command, pid);
        }
        return true;
    }

    private static String describe(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
