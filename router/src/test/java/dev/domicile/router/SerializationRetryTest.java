package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.PartitionMap;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bounded retries of serialization failures, on real PostgreSQL conflicts (SERIALIZABLE transactions on the embedded
 * primary), through the router: only when the caller opted in, re-running the whole unit of work, never more than
 * allowed, and never for another error.
 */
class SerializationRetryTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false));

    private RoutingDataSource dataSource;
    private Endpoint primary;

    @BeforeEach
    void open() throws SQLException {
        Topology topology = TOPOLOGY.topology();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        dataSource = RoutingDataSource.create(TopologyRouting.config(topology, "eu-west").build(), () -> map);
        primary = topology.primary("eu-west");
        try (Connection c = topology.connect(primary)) {
            SerializationConflict.reset(c);
        }
    }

    @AfterEach
    void close() {
        assertThat(dataSource.activeConnections().values()).allMatch(active -> active == 0);
        dataSource.close();
    }

    private SerializationConflict conflict(int interferences) {
        return new SerializationConflict(dataSource, () -> TOPOLOGY.topology().connect(primary), interferences);
    }

    private int counter() throws SQLException {
        try (Connection c = TOPOLOGY.topology().connect(primary)) {
            return SerializationConflict.value(c);
        }
    }

    @Test
    void anOptedInUnitOfWorkRunsAgainAfterASerializationFailure() throws Exception {
        SerializationConflict conflict = conflict(1);

        int written = dataSource.router().forUser("alice").retryingSerializationFailures(3).call(conflict::increment);

        assertThat(conflict.attempts).hasValue(2);
        assertThat(written).isEqualTo(2);
        assertThat(counter()).isEqualTo(2);       // the interfering increment and the retried one, none lost
    }

    @Test
    void withoutOptingInTheFailureReachesTheCaller() {
        SerializationConflict conflict = conflict(1);

        assertThatThrownBy(() -> dataSource.router().forUser("alice").call(conflict::increment))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40001"));
        assertThat(conflict.attempts).hasValue(1);
    }

    @Test
    void retriesAreBoundedAndTheLastFailureCarriesTheEarlierOnes() throws SQLException {
        SerializationConflict conflict = conflict(Integer.MAX_VALUE);

        assertThatThrownBy(() -> dataSource.router().forUser("alice")
                .retrying(Retry.serializationFailures(2).backoff(Duration.ZERO, Duration.ZERO))
                .call(conflict::increment))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> {
                    assertThat(((SQLException) e).getSQLState()).isEqualTo("40001");
                    assertThat(e.getSuppressed()).hasSize(2).allMatch(Retry::isSerializationFailure);
                });
        assertThat(conflict.attempts).hasValue(3);
        assertThat(counter()).isEqualTo(3);       // only the interfering transactions committed
    }

    @Test
    void otherErrorsAreNotRetried() {
        int[] attempts = {0};
        assertThatThrownBy(() -> dataSource.router().forUser("alice").retryingSerializationFailures(5).call(() -> {
            attempts[0]++;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                return s.executeUpdate("UPDATE no_such_table SET n = 1");
            }
        })).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42P01"));
        assertThat(attempts[0]).isEqualTo(1);
    }

    @Test
    void aFailureWrappedInAnUncheckedExceptionIsRecognisedInRun() throws SQLException {
        SerializationConflict conflict = conflict(2);

        dataSource.router().forUser("alice").retryingSerializationFailures(2).run(conflict::incrementUnchecked);

        assertThat(conflict.attempts).hasValue(3);
        assertThat(counter()).isEqualTo(3);
    }

    @Test
    void eachAttemptRunsInTheSameRoutingContext() throws Exception {
        SerializationConflict conflict = conflict(1);
        java.util.List<RoutingContext> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        dataSource.router().forUser("alice").retryingSerializationFailures(1).call(() -> {
            seen.add(Routing.current().orElseThrow());
            return conflict.increment();
        });

        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isSameAs(seen.get(1));
        assertThat(Routing.current()).isEmpty();
    }
}
