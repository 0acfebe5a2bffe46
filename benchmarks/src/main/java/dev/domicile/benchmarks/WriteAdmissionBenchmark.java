package dev.domicile.benchmarks;

import dev.domicile.authority.Admission;
import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
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
 * What {@link WriteAdmission#admit} costs a write on the happy path: the router owns the partition and ZooKeeper is
 * healthy. The admission runs against a real in-JVM ZooKeeper, but ZooKeeper is not on the measured path: admitting
 * is a volatile read of an immutable gate and one map lookup, and must not allocate.
 *
 * <p>Baseline: a volatile read of an immutable object. The figure that matters is
 * {@code admit / baselineVolatileRead}; run with {@code -prof gc} to see the allocation rate (expected ~0 B/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WriteAdmissionBenchmark {

    private static final PartitionId PARTITION = PartitionId.of("eu-west");

    private TestingServer zooKeeper;
    private CuratorFramework client;
    private AuthorityWatcher watcher;
    private WriteAdmission admission;
    private volatile Admission baseline;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        zooKeeper = new TestingServer(true);
        AuthorityConfig config = AuthorityConfig.builder().localSite("eu-west").sites("eu-west", "us-east")
                .rootPath("/benchmark/authority").build();
        client = config.curatorBuilder(zooKeeper.getConnectString())
                .authorization("digest", "domicile:benchmark".getBytes(StandardCharsets.UTF_8)).build();
        client.start();
        if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ZooKeeper did not connect");
        }
        AuthorityStore.of(client, config).initialize(PARTITION, SiteId.of("eu-west"));
        watcher = AuthorityWatcher.start(client, config);
        admission = WriteAdmission.start(watcher);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!admission.admits(PARTITION)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("admission did not open: " + watcher);
            }
            Thread.onSpinWait();
        }
        baseline = admission.admit(PARTITION);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        admission.close();
        watcher.close();
        client.close();
        zooKeeper.close();
    }

    @Benchmark
    public Admission baselineVolatileRead() {
        return baseline;
    }

    @Benchmark
    public Admission admit() {
        return admission.admit(PARTITION);
    }
}
