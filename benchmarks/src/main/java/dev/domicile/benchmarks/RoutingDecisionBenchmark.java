package dev.domicile.benchmarks;

import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionMap;
import dev.domicile.router.CausalTokens;
import dev.domicile.router.Consistency;
import dev.domicile.router.EndpointConfig;
import dev.domicile.router.Intent;
import dev.domicile.router.RoutingDataSource;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>A random user's assignment is a random place in tables of about 20 MB, so each decision pays one access to main
 * memory that no lookup can avoid; {@code baselineRandomMemoryRead} measures that access alone (one {@code long} read
 * at a random place in an array of the same size), the floor under {@code routeRead}'s percentiles on the machine
 * at hand. Sample mode also adds its own timer reads to every sample (the fastest sample of a trivial method shows
 * how much). The fork runs with transparent huge pages, as a process holding a map of a million users should: with
 * 4 KB pages each such access also misses the TLB. They take effect only where the kernel's setting
 * ({@code /sys/kernel/mm/transparent_hugepage/enabled}) is {@code madvise} or {@code always}; elsewhere the JVM
 * warns and uses small pages.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g", "-XX:+UseTransparentHugePages", "-XX:+AlwaysPreTouch"})
public class RoutingDecisionBenchmark {

    private static final int USERS = 1_000_000;
    private static final int KEYS = 1 << 16;
    /** Longs in {@link #memory}: 20 MB, the size of the assignment tables of 1,000,000 users. */
    private static final int MEMORY_LONGS = 20 << 17;

    private RoutingDataSource dataSource;
    private PartitionMap map;
    private Map<String, String> baseline;
    private String[] keys;
    private Home[] homes;
    private byte[][] keyBytes;
    private long[] memory;
    private int[] places;
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
        keyBytes = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = StubRouting.userKey(random.nextInt(USERS));
            homes[i] = map.homeOf(keys[i]);
            keyBytes[i] = keys[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        memory = new long[MEMORY_LONGS];
        places = new int[KEYS];
        for (int i = 0; i < KEYS; i++) {
            places[i] = random.nextInt(MEMORY_LONGS);
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

    /** The next key, made now from its bytes, as a request makes it. */
    private String nextFreshKey() {
        next = (next + 1) & (KEYS - 1);
        return new String(keyBytes[next], StandardCharsets.ISO_8859_1);
    }

    private Home nextHome() {
        next = (next + 1) & (KEYS - 1);
        return homes[next];
    }

    /** One read of main memory at a random place in 20 MB: what a random user's lookup cannot do without. */
    @Benchmark
    public long baselineRandomMemoryRead() {
        next = (next + 1) & (KEYS - 1);
        return memory[places[next]];
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

    /**
     * {@link #routeRead()} with the key made for the call, as a request makes it from a header or a session: the
     * lookup reads a key just written, not one the GC moved away long ago. Includes making the key (a 24 B
     * {@code String} and its 32 B array for {@code user-NNNNNN}, allocated by the benchmark, not the router).
     */
    @Benchmark
    public EndpointConfig routeReadFreshKey() {
        return dataSource.route(map.homeOf(nextFreshKey()), Intent.READ, Consistency.READ_YOUR_WRITES,
                CausalTokens.NONE);
    }

    /** {@link #baselineHashMapLookup()} with the key made for the call, as {@link #routeReadFreshKey()}. */
    @Benchmark
    public String baselineHashMapLookupFreshKey() {
        return baseline.get(nextFreshKey());
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
