package dev.domicile.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.domicile.partition.PartitionMap;
import dev.domicile.router.Intent;
import dev.domicile.router.Routing;
import dev.domicile.router.RoutingDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * Borrowing and returning a connection (with one statement, so the routed connection binds) through the router vs.
 * the same HikariCP pool configuration used directly, both on the stub driver so only pool and router cost shows.
 * The request's routing context is bound once per thread, as a web filter binds it once per request. Run with
 * {@code -t 1} and {@code -t 4}. The groups {@code paired} (one thread each) and {@code paired4} (four each) run both
 * at the same time on their own pools, so that load on the machine slows both alike; read the ratio of the two
 * results of a group.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingDataSourceBenchmark {

    private HikariDataSource hikari;
    private RoutingDataSource router;

    /** Each benchmark thread binds the context of one user for its whole run. */
    @State(Scope.Thread)
    public static class Request {
        private Routing.Binding binding;

        @Setup(Level.Trial)
        public void bind(RoutingDataSourceBenchmark benchmark) {
            binding = Routing.bind(benchmark.router.router().forUser(StubRouting.userKey(1)).intent(Intent.READ)
                    .context());
        }

        @TearDown(Level.Trial)
        public void unbind() {
            binding.close();
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        StubDriver.install();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(StubDriver.REPLICA_URL);
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(8);
        config.addDataSourceProperty("readOnlyMode", "always");
        hikari = new HikariDataSource(config);
        PartitionMap map = StubRouting.map(1_000);
        router = RoutingDataSource.create(StubRouting.config("us-east", 8), () -> map);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        router.close();
        hikari.close();
    }

    @Benchmark
    public Statement baselineHikariBorrow() throws SQLException {
        try (Connection c = hikari.getConnection(); Statement s = c.createStatement()) {
            return s;
        }
    }

    @Benchmark
    public Statement routedBorrow(Request request) throws SQLException {
        try (Connection c = router.getConnection(); Statement s = c.createStatement()) {
            return s;
        }
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public Statement baselineHikariBorrowPaired() throws SQLException {
        return baselineHikariBorrow();
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public Statement routedBorrowPaired(Request request) throws SQLException {
        return routedBorrow(request);
    }

    @Benchmark
    @Group("paired4")
    @GroupThreads(4)
    public Statement baselineHikariBorrowPaired4() throws SQLException {
        return baselineHikariBorrow();
    }

    @Benchmark
    @Group("paired4")
    @GroupThreads(4)
    public Statement routedBorrowPaired4(Request request) throws SQLException {
        return routedBorrow(request);
    }
}
