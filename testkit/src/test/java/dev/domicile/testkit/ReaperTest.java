package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers left running by a JVM that died without closing its topology are killed by the next topology's start;
 * those of a live JVM, and directories that no JVM marked, are left alone. Real PostgreSQL and Redis processes.
 */
class ReaperTest {

    @TempDir
    Path parent;

    @Test
    void theServersOfADeadJvmAreKilledAndItsDirectoryDeleted() throws Exception {
        Path orphan = Files.createDirectories(parent.resolve("topology-orphan"));
        Path live = Files.createDirectories(parent.resolve("topology-live"));
        Path unmarked = Files.createDirectories(parent.resolve("topology-unmarked"));
        Path own = Files.createDirectories(parent.resolve("topology-own"));
        Reaper.mark(live);
        Reaper.mark(own);
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Files.writeString(orphan.resolve(Reaper.OWNER), exited.pid() + " 1"); // a JVM that is gone
        assertThat(Reaper.orphaned(orphan)).isTrue();
        assertThat(Reaper.orphaned(live)).isFalse();
        assertThat(Reaper.orphaned(unmarked)).isFalse();

        List<AutoCloseable> cleanUp = new ArrayList<>();
        try {
            PostgresServer postgres = new PostgresServer(PostgresBinaries.get(), new Endpoint("orphan-primary",
                    "orphan", "orphan", Role.PRIMARY, "127.0.0.1", Ports.free(), "postgres", "postgres"),
                    orphan.resolve("orphan-primary"));
            postgres.createPrimary(null);
            postgres.start();
            cleanUp.add(postgres::kill);
            RedisProcess redis = new RedisProcess(new RedisNode("orphan", "127.0.0.1", Ports.free()),
                    orphan.resolve("redis-orphan"));
            redis.start();
            cleanUp.add(redis::stop);
            RedisProcess liveRedis = new RedisProcess(new RedisNode("live", "127.0.0.1", Ports.free()),
                    live.resolve("redis-live"));
            liveRedis.start();
            cleanUp.add(liveRedis::stop);
            long postmaster = pid(orphan.resolve("orphan-primary/data/postmaster.pid"));
            long redisPid = pid(orphan.resolve("redis-orphan/" + Reaper.REDIS_PID));
            long liveRedisPid = pid(live.resolve("redis-live/" + Reaper.REDIS_PID));
            assertThat(alive(postmaster)).isTrue();
            assertThat(alive(redisPid)).isTrue();

            assertThat(Reaper.reapSiblings(own, "topology-")).as("server processes killed").isEqualTo(2);

            assertThat(alive(postmaster)).as("orphaned postmaster").isFalse();
            assertThat(alive(redisPid)).as("orphaned redis-server").isFalse();
            assertThat(orphan).doesNotExist();
            assertThat(alive(liveRedisPid)).as("a live JVM's redis-server").isTrue();
            assertThat(live).exists();
            assertThat(unmarked).exists();
            assertThat(own).exists();
        } finally {
            for (AutoCloseable c : cleanUp.reversed()) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // killed already
                }
            }
        }
    }

    private static long pid(Path file) throws Exception {
        return Long.parseLong(Files.readAllLines(file).get(0).strip());
    }

    private static boolean alive(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        return process.isPresent() && process.get().isAlive();
    }
}
