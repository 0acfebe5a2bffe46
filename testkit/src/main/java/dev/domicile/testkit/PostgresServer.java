package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One PostgreSQL server process of an embedded topology, driven through {@code pg_ctl}. Not thread-safe; the
 * topology serialises operations on a server.
 */
final class PostgresServer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final PostgresBinaries binaries;
    private final Endpoint endpoint;
    private final Path dataDirectory;
    private final Path log;
    private boolean running;

    PostgresServer(PostgresBinaries binaries, Endpoint endpoint, Path directory) {
        this.binaries = binaries;
        this.endpoint = endpoint;
        this.dataDirectory = directory.resolve("data");
        this.log = directory.resolve("postgres.log");
    }

    Endpoint endpoint() {
        return endpoint;
    }

    Path log() {
        return log;
    }

    /** Creates this primary's data directory from the template; {@code synchronousStandby} may be null. */
    void createPrimary(String synchronousStandby) {
        try {
            Files2.copyTree(binaries.template(), dataDirectory);
            Files2.ownerOnly(dataDirectory);
            writeConfig("port = " + endpoint.port() + "\n" + (synchronousStandby == null ? ""
                    : "synchronous_standby_names = '\"" + synchronousStandby + "\"'\n"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory of " + endpoint.name(), e);
        }
    }

    /**
     * Creates this replica's data directory as a copy of the stopped {@code primary}'s, marked as a standby that
     * streams from {@code sourceHost:sourcePort} (the primary itself or a proxy in front of it).
     */
    void createReplicaOf(PostgresServer primary, String sourceHost, int sourcePort) {
        if (primary.running) {
            throw new IllegalStateException("a replica is copied from a stopped primary; " + primary.endpoint.name()
                    + " is running");
        }
        try {
            Files2.copyTree(primary.dataDirectory, dataDirectory);
            Files2.ownerOnly(dataDirectory);
            Files.createFile(dataDirectory.resolve("standby.signal"));
            writeConfig("port = " + endpoint.port() + "\n"
                    + "primary_conninfo = 'host=" + sourceHost + " port=" + sourcePort + " user=" + endpoint.user()
                    + " application_name=" + endpoint.name() + " connect_timeout=5'\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory of " + endpoint.name(), e);
        }
    }

    private void writeConfig(String content) throws IOException {
        Files.writeString(dataDirectory.resolve("domicile.conf"), content);
    }

    void start() {
        pgCtl(List.of("start", "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()), "-l", log.toString()),
                START_TIMEOUT.plusSeconds(10), "start");
        running = true;
    }

    void stop() {
        shutDown("fast");
    }

    /** Stops without a checkpoint, like a crash; the next start runs crash recovery. */
    void kill() {
        shutDown("immediate");
    }

    private void shutDown(String mode) {
        if (!running && !Files.exists(dataDirectory.resolve("postmaster.pid"))) {
            return;
        }
        pgCtl(List.of("stop", "-m", mode, "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds())),
                STOP_TIMEOUT.plusSeconds(10), "stop");
        running = false;
    }

    boolean running() {
        return running;
    }

    private void pgCtl(List<String> arguments, Duration timeout, String what) {
        List<String> command = new java.util.ArrayList<>(List.of(binaries.tool("pg_ctl").toString(),
                "-D", dataDirectory.toString()));
        command.addAll(arguments);
        try {
            Commands.run(Commands.asServerUser(command), timeout, log);
        } catch (TopologyException e) {
            throw new TopologyException("PostgreSQL " + endpoint.name() + " (port " + endpoint.port() + ") failed to "
                    + what + ": " + e.getMessage(), e);
        }
    }
}
