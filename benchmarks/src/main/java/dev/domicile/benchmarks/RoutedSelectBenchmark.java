package dev.domicile.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.Intent;
import dev.domicile.router.Role;
import dev.domicile.router.RouterConfig;
import dev.domicile.router.Routing;
import dev.domicile.router.RoutingDataSource;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End to end: a primary-key SELECT on the embedded PostgreSQL replica through the router (a read-your-writes read
 * with a context bound once, as a request would) vs. the same statement through HikariCP on the same replica.
 * Connection borrowed and returned each time in both. The figure that matters is {@code routedSelect /
 * baselineHikariSelect}; the group {@code paired} runs both at the same time, one thread each, so that load on the
 * machine slows both alike.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RoutedSelectBenchmark {

    private static final String SELECT = "SELECT body FROM notes WHERE id = ?";

    private Topology topology;
    private HikariDataSource hikari;
    private RoutingDataSource router;
    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        topology = EmbeddedTopology.builder().site("eu-west").replicasPerSite(1).redis(false).start();
        Endpoint primary = topology.primary("eu-west");
        Endpoint replica = topology.replicas("eu-west").get(0);
        try (Connection c = topology.connect(primary); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            s.execute("INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 1000) g");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(replica.jdbcUrl());
        config.setMaximumPoolSize(4);
        hikari = new HikariDataSource(config);
        PartitionMap map = PartitionMap.of(new PartitionMapDefinition(1, List.of(SiteId.of("eu-west")),
                List.of(Partition.of("eu-west", "eu-west")), List.of(), Map.of()));
        router = RoutingDataSource.create(RouterConfig.builder().localSite(SiteId.of("eu-west")).maxPoolSize(4)
                .endpoint(endpoint(primary, Role.PRIMARY)).endpoint(endpoint(replica, Role.REPLICA)).build(),
                () -> map);
    }

    private static EndpointConfig endpoint(Endpoint e, Role role) {
        return new EndpointConfig(e.name(), PartitionId.of(e.partition()), SiteId.of(e.site()), role, e.jdbcUrl(),
                null, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        router.close();
        hikari.close();
        topology.close();
    }

    private static String select(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT)) {
            s.setInt(1, 42);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Benchmark
    public String baselineHikariSelect() throws SQLException {
        try (Connection c = hikari.getConnection()) {
            return select(c);
        }
    }

    @Benchmark
    public String routedSelect(Request request) throws SQLException {
        try (Connection c = router.getConnection()) {
            return select(c);
        }
    }

    /** The routing context of a routed thread, bound once on that thread, as a request would bind it. */
    @State(Scope.Thread)
    public static class Request {
        private Routing.Binding binding;

        @Setup(Level.Trial)
        public void bind(RoutedSelectBenchmark benchmark) {
            binding = Routing.bind(benchmark.router.router().forUser("alice").intent(Intent.READ).context());
        }

        @TearDown(Level.Trial)
        public void unbind() {
            binding.close();
        }
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public String baselineHikariSelectPaired() throws SQLException {
        return baselineHikariSelect();
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public String routedSelectPaired(Request request) throws SQLException {
        return routedSelect(request);
    }
}
