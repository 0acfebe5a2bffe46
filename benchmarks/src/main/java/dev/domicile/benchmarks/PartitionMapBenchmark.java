package dev.domicile.benchmarks;

import dev.domicile.partition.Home;
import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PartitionMap#homeOf(String)}, the lookup every request and statement makes, beside a raw
 * {@code HashMap<String, String>.get} on the same keys.
 *
 * <ul>
 *   <li>{@code homeOfHashedKey} / {@code baselineHashMapGetSmall}: 1,024 users resolved by the hash layer (no
 *       assignments, no rules), keys in cache as for a request being served. Target: ≤ 50 ns, 0 B/op.</li>
 *   <li>{@code homeOfAssignedKey} / {@code baselineHashMapGetMillion}: 1,000,000 explicit assignments, looked up in
 *       random order (both structures miss the cache). The baseline is handed the very String instances it stored,
 *       so its hash code is cached and its equality check is a reference comparison; {@code homeOf} must also read
 *       the (cold) key's bytes to validate and hash them. Target: ratio ≤ 1.0.</li>
 *   <li>{@code homeOfAssignedEqualKey} / {@code baselineHashMapGetMillionEqualKey}: the same keys, but as distinct
 *       String objects equal to the stored ones, made once before the run (as a request carries its own copy of a
 *       key; no allocation measured): the baseline must compare the keys' contents.</li>
 *   <li>{@code homeOfAssignedFreshKey} / {@code baselineHashMapGetMillionFreshKey}: the same, but each lookup builds
 *       its key as a request would (a new String, hot in cache), so the baseline hashes it and compares content.
 *       Both pay the same allocation for the key.</li>
 * </ul>
 *
 * <p>The groups {@code pairedAssigned} (same key objects) and {@code pairedAssignedEqualKey} (equal copies) run
 * {@code homeOf} and the {@code HashMap} baseline at the same time, one thread each with its own cursor over the keys,
 * so that load on the machine slows both alike; read the ratio of the two results of a group.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PartitionMapBenchmark {

    private static final int SMALL = 1024;
    private static final int USERS = 1_000_000;
    private static final String FRESH_PREFIX = "customer-";

    private PartitionMap hashedMap;
    private Map<String, String> smallBaseline;
    private String[] smallKeys;
    private int smallIndex;

    private PartitionMap assignedMap;
    private Map<String, String> millionBaseline;
    private String[] millionKeys;
    private String[] millionCopies;
    private int millionIndex;

    private PartitionMap numberedMap;
    private Map<String, String> numberedBaseline;
    private int[] order;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        PartitionMapDefinition threePartitions = PartitionMapDefinition.builder()
                .sites("eu-west", "us-east", "ap-south")
                .partition(Partition.of("eu", "eu-west", "us-east"))
                .partition(Partition.of("us", "us-east", "eu-west"))
                .partition(Partition.of("ap", "ap-south", "eu-west"))
                .build();
        hashedMap = PartitionMap.of(threePartitions);
        smallKeys = new String[SMALL];
        smallBaseline = new HashMap<>();
        for (int i = 0; i < SMALL; i++) {
            smallKeys[i] = "user-" + Long.toHexString(random.nextLong());
            smallBaseline.put(smallKeys[i], "eu");
        }

        List<String> keys = new ArrayList<>(USERS);
        Map<String, PartitionId> assignments = new HashMap<>(USERS * 2);
        millionBaseline = new HashMap<>();
        List<PartitionId> partitions = List.of(PartitionId.of("eu"), PartitionId.of("us"), PartitionId.of("ap"));
        for (int i = 0; i < USERS; i++) {
            String key = "user-" + Long.toHexString(random.nextLong());
            PartitionId partition = partitions.get(i % 3);
            keys.add(key);
            assignments.put(key, partition);
            millionBaseline.put(key, partition.value());
        }
        assignedMap = PartitionMap.of(new PartitionMapDefinition(1, threePartitions.sites(),
                threePartitions.partitions(), List.of(), assignments));
        Collections.shuffle(keys, random);
        millionKeys = keys.toArray(new String[0]);
        millionCopies = new String[USERS];
        for (int i = 0; i < USERS; i++) {
            millionCopies[i] = new String(millionKeys[i].toCharArray());
        }

        Map<String, PartitionId> numbered = new HashMap<>(USERS * 2);
        numberedBaseline = new HashMap<>();
        List<Integer> indexes = new ArrayList<>(USERS);
        for (int i = 0; i < USERS; i++) {
            PartitionId partition = partitions.get(i % 3);
            numbered.put(FRESH_PREFIX + i, partition);
            numberedBaseline.put(FRESH_PREFIX + i, partition.value());
            indexes.add(i);
        }
        numberedMap = PartitionMap.of(new PartitionMapDefinition(1, threePartitions.sites(),
                threePartitions.partitions(), List.of(), numbered));
        Collections.shuffle(indexes, random);
        order = indexes.stream().mapToInt(Integer::intValue).toArray();
    }

    @Benchmark
    public Home homeOfHashedKey() {
        int i = smallIndex = (smallIndex + 1) & (SMALL - 1);
        return hashedMap.homeOf(smallKeys[i]);
    }

    @Benchmark
    public String baselineHashMapGetSmall() {
        int i = smallIndex = (smallIndex + 1) & (SMALL - 1);
        return smallBaseline.get(smallKeys[i]);
    }

    @Benchmark
    public Home homeOfAssignedKey() {
        return assignedMap.homeOf(millionKeys[nextMillion()]);
    }

    @Benchmark
    public String baselineHashMapGetMillion() {
        return millionBaseline.get(millionKeys[nextMillion()]);
    }

    @Benchmark
    public Home homeOfAssignedEqualKey() {
        return assignedMap.homeOf(millionCopies[nextMillion()]);
    }

    @Benchmark
    public String baselineHashMapGetMillionEqualKey() {
        return millionBaseline.get(millionCopies[nextMillion()]);
    }

    @Benchmark
    public Home homeOfAssignedFreshKey() {
        return numberedMap.homeOf(FRESH_PREFIX + order[nextMillion()]);
    }

    @Benchmark
    public String baselineHashMapGetMillionFreshKey() {
        return numberedBaseline.get(FRESH_PREFIX + order[nextMillion()]);
    }

    private int nextMillion() {
        int i = millionIndex + 1;
        if (i == USERS) {
            i = 0;
        }
        millionIndex = i;
        return i;
    }

    /** A thread's own position in the million keys, for the paired groups. */
    @State(Scope.Thread)
    public static class Cursor {
        private int index;

        int next() {
            int i = index + 1;
            if (i == USERS) {
                i = 0;
            }
            index = i;
            return i;
        }
    }

    @Benchmark
    @Group("pairedAssigned")
    @GroupThreads(1)
    public Home homeOfAssignedKeyPaired(Cursor cursor) {
        return assignedMap.homeOf(millionKeys[cursor.next()]);
    }

    @Benchmark
    @Group("pairedAssigned")
    @GroupThreads(1)
    public String baselineHashMapGetMillionPaired(Cursor cursor) {
        return millionBaseline.get(millionKeys[cursor.next()]);
    }

    @Benchmark
    @Group("pairedAssignedEqualKey")
    @GroupThreads(1)
    public Home homeOfAssignedEqualKeyPaired(Cursor cursor) {
        return assignedMap.homeOf(millionCopies[cursor.next()]);
    }

    @Benchmark
    @Group("pairedAssignedEqualKey")
    @GroupThreads(1)
    public String baselineHashMapGetMillionEqualKeyPaired(Cursor cursor) {
        return millionBaseline.get(millionCopies[cursor.next()]);
    }
}
