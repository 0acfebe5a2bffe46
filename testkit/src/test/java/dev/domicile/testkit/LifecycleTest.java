package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures explain themselves, and close leaves no process, port or directory behind. */
class LifecycleTest {

    @Test
    void closeStopsEveryServerAndDeletesEveryDirectory(@TempDir Path work) throws IOException {
        Topology topology = EmbeddedTopology.builder().site("eu-west").replicasPerSite(1).workDirectory(work).start();
        List<Endpoint> endpoints = topology.endpoints();
        RedisNode redis = topology.redis("eu-west");
        String zooKeeper = topology.zooKeeperConnectString();
        int proxyPort = ((FaultProxy) topology.link("eu-west", endpoints.get(0))).port();
        assertThat(serverProcessesUnder(work)).isNotEmpty();

        topology.close();
        topology.close(); // idempotent

        assertThat(serverProcessesUnder(work)).isEmpty();
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
        for (Endpoint endpoint : endpoints) {
            assertThatThrownBy(() -> new Socket(endpoint.host(), endpoint.port()).close())
                    .as(endpoint.name()).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> new Socket(redis.host(), redis.port()).close()).isInstanceOf(IOException.class);
        int zkPort = Integer.parseInt(zooKeeper.substring(zooKeeper.lastIndexOf(':') + 1));
        assertThatThrownBy(() -> new Socket("127.0.0.1", zkPort).close()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", proxyPort).close()).isInstanceOf(IOException.class);
    }

    @Test
    void aServerThatFailsToStartReportsItsLogTail(@TempDir Path work) throws IOException {
        Endpoint endpoint = new Endpoint("broken-primary", "eu-west", "eu-west", Role.PRIMARY, "127.0.0.1",
                Ports.free(), "postgres", "postgres");
        PostgresServer server = new PostgresServer(PostgresBinaries.get(), endpoint, work.resolve("broken"));
        server.createPrimary(null);
        Files.writeString(work.resolve("broken/data/domicile.conf"), "port = " + endpoint.port()
                + "\nshared_buffers = 'lots'\n");

        assertThatThrownBy(server::start)
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("PostgreSQL broken-primary")
                .hasMessageContaining("failed to start")
                .hasMessageContaining("tail of")
                .hasMessageContaining("shared_buffers");
        assertThat(server.running()).isFalse();
    }

    @Test
    void operationsRejectEndpointsOfAnotherTopology() {
        try (Topology topology = EmbeddedTopology.builder().site("eu-west").replicasPerSite(0).redis(false).start()) {
            Endpoint stranger = new Endpoint("eu-west-primary", "eu-west", "eu-west", Role.PRIMARY, "127.0.0.1", 1,
                    "postgres", "postgres");
            assertThatThrownBy(() -> topology.stop(stranger)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not part of this topology");
            assertThatThrownBy(() -> topology.link("mars", topology.primary("eu-west")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown site 'mars'");
            assertThatThrownBy(() -> topology.redis("eu-west")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without Redis");
            assertThatThrownBy(() -> topology.replayLsn(topology.primary("eu-west")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not in recovery");
        }
    }

    private static List<ProcessHandle> serverProcessesUnder(Path work) {
        String marker = work.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

}
