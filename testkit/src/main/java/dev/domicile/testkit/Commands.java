package dev.domicile.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the servers' command-line tools. PostgreSQL refuses to run as root, so when this JVM is root every PostgreSQL
 * tool runs inside a fresh user namespace ({@code unshare -U}), where it sees itself as an unprivileged user.
 */
final class Commands {

    private static volatile Boolean root;

    private Commands() {
    }

    /** {@code command}, prefixed so that PostgreSQL accepts to run it. */
    static List<String> asServerUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-U"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean isRoot() {
        Boolean known = root;
        if (known == null) {
            known = "0".equals(output(List.of("id", "-u"), Duration.ofSeconds(10)).strip());
            root = known;
        }
        return known;
    }

    /**
     * Runs {@code command} to completion and returns its output (stdout and stderr merged).
     *
     * @throws TopologyException if it cannot start, times out or exits non-zero; the message holds its output and,
     *                           if {@code log} is given, that file's tail
     */
    static String run(List<String> command, Duration timeout, Path log) {
        String output = "";
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] bytes = process.getInputStream().readAllBytes();
            output = new String(bytes, StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw failure(command, "timed out after " + timeout, output, log);
            }
            if (process.exitValue() != 0) {
                throw failure(command, "exited with " + process.exitValue(), output, log);
            }
            return output;
        } catch (IOException e) {
            throw new TopologyException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while running " + command, e);
        }
    }

    static String output(List<String> command, Duration timeout) {
        return run(command, timeout, null);
    }

    private static TopologyException failure(List<String> command, String what, String output, Path log) {
        StringBuilder message = new StringBuilder(String.join(" ", command)).append(' ').append(what);
        if (!output.isBlank()) {
            message.append("\n--- output ---\n").append(output.strip());
        }
        if (log != null) {
            message.append("\n--- tail of ").append(log).append(" ---\n").append(Files2.tail(log, 30));
        }
        return new TopologyException(message.toString());
    }
}
