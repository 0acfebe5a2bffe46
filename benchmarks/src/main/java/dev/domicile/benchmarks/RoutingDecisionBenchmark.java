package dev.domicile.benchmarks;

import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionMap;
import dev.domicile.router.CausalTokens;
import dev.domicile.router.Consistency;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.Intent;
import dev.domicile.router.RoutingDataSource;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The routing decision for a random user among 1,000,000 explicitly assigned: user key to home (partition map) to
 * endpoint (warm monitor over the stub driver), as a read-your-writes read. Baseline: a {@code HashMap} lookup of the
 * same keys. The {@code …KnownHome} methods route homes resolved before the run: the router's own share, as on a
 * borrow, whose routing context resolved the home when it was made. Sample mode gives percentiles; {@code -prof gc}
 * gives allocation per decision.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class RoutingDecisionBenchmark {

    private static final int USERS = 1_000_000;
    private static final int KEYS = 1 << 16;

    private RoutingDataSource dataSource;
    private PartitionMap map;
    private Map<String, String> baseline;
    private String[] keys;
    private Home[] homes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        StubDriver.install();
        map = StubRouting.map(USERS);
        dataSource = RoutingDataSource.create(StubRouting.config("us-east", 2), () -> map);
        baseline = new HashMap<>();
        for (int i = 0; i < USERS; i++) {
            baseline.put(StubRouting.userKey(i), StubRouting.SITES.get(i % 3) + "-replica-us-east");
        }
        SplittableRandom random = new SplittableRandom(42);
        keys = new String[KEYS];
        homes = new Home[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = StubRouting.userKey(random.nextInt(USERS));
            homes[i] = map.homeOf(keys[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dataSource.close();
    }

    private String nextKey() {
        next = (next + 1) & (KEYS - 1);
        return keys[next];
    }

    private Home nextHome() {
        next = (next + 1) & (KEYS - 1);
        return homes[next];
    }

    @Benchmark
    public String baselineHashMapLookup() {
        return baseline.get(nextKey());
    }

    @Benchmark
    public EndpointConfig routeRead() {
        return dataSource.route(map.homeOf(nextKey()), Intent.READ, Consistency.READ_YOUR_WRITES,
                CausalTokens.NONE);
    }

    @Benchmark
    public EndpointConfig routeWrite() {
        return dataSource.route(map.homeOf(nextKey()), Intent.WRITE, Consistency.READ_YOUR_WRITES,
                CausalTokens.NONE);
    }

    @Benchmark
    public EndpointConfig routeReadKnownHome() {
        return dataSource.route(nextHome(), Intent.READ, Consistency.READ_YOUR_WRITES, CausalTokens.NONE);
    }

    @Benchmark
    public EndpointConfig routeWriteKnownHome() {
        return dataSource.route(nextHome(), Intent.WRITE, Consistency.READ_YOUR_WRITES, CausalTokens.NONE);
    }
}
