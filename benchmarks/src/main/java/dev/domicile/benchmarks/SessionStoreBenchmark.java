package dev.domicile.benchmarks;

import dev.domicile.session.IdVerification;
import dev.domicile.session.RegionConfig;
import dev.domicile.session.RegionalSessionStore;
import dev.domicile.session.Session;
import dev.domicile.session.SessionEdit;
import dev.domicile.session.SessionIds;
import dev.domicile.session.SessionKeyRing;
import dev.domicile.session.SessionLookup;
import dev.domicile.session.SessionStoreConfig;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RMap;
import org.redisson.api.RMapAsync;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The session store's hot paths against the real embedded Redis of one site, each beside its raw Redisson baseline on
 * the same data and the same loopback connection settings.
 *
 * <ul>
 *   <li>{@code load / baselineReadAllMap}: id check, one HGETALL and the checks in Java (a use is recorded at most
 *       every 1% of the idle timeout, i.e. every 18 s here) versus a bare {@code RMap.readAllMap()} (HGETALL) of a
 *       hash with the same fields.</li>
 *   <li>{@code save} writes one attribute and one causal token. In Redis that is one {@code EVALSHA} of the save
 *       script, which checks the session (exists, timeouts, revoked or re-homed tombstones, freeze), then sets the
 *       two fields and the access time ({@code HSET} of three fields) and slides the TTL ({@code PEXPIRE}). The fair
 *       raw equivalent does the same writes, the same three fields and the TTL, with the atomicity that is inherent to
 *       them: fields and TTL together, so that a failure in between cannot leave a session without expiry. Redisson
 *       offers two ways, both measured:
 *       <ul>
 *         <li>{@code baselineScript}: {@code RScript.eval} of a two-line script ({@code HSET} + {@code PEXPIRE}),
 *             sent as {@code EVALSHA} through Redisson's script cache like the store's: the cheapest atomic way, and
 *             the one to read the save's ratio against, since the only difference is the session checks;</li>
 *         <li>{@code baselineAtomicBatch}: the same {@code HSET} plus {@code expire} in one {@code MULTI/EXEC}
 *             batch ({@code RBatch} in {@code IN_MEMORY_ATOMIC} mode; Redisson sends its {@code expire} as a
 *             small script of its own);</li>
 *       </ul>
 *       and, for scale only, {@code baselinePutAll}: a bare {@code HSET} of the same three fields, without TTL and
 *       without atomicity, which no session store could use as is.</li>
 *   <li>{@code verifyId}, {@code rejectForgedId} versus {@code baselineHmac}: id verification costs one HMAC-SHA256
 *       (two for a forged id while a previous key is in its grace period; none here); no Redis call.</li>
 * </ul>
 *
 * <p>On a shared machine the mean ({@code avgt}) is dominated by scheduling noise; {@code -bm sample} gives the
 * median ({@code p0.50}), which is steadier. JMH runs the methods one after another, so a ratio still mixes two load
 * periods. The groups {@code pairedLoad} and {@code pairedSave} run a method and its baseline at the same time, one
 * thread each, on the same Redis, so that load on the machine slows both alike; read the ratio of the two results in
 * the group ({@code pairedSave:savePaired} over {@code pairedSave:baselineScriptPaired}, and
 * {@code pairedLoad:loadPaired} over {@code pairedLoad:baselineReadAllMapPaired}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SessionStoreBenchmark {

    private static final Duration TTL = Duration.ofMinutes(30);
    private static final String TTL_MILLIS = Long.toString(TTL.toMillis());
    private static final String RAW_KEY = "bench:raw";
    /** The raw write of a save: the fields (ARGV[2..]) and the sliding TTL (ARGV[1]), atomically. */
    private static final String HSET_PEXPIRE = """
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return {'ok'}
            """;
    private static final BatchOptions ATOMIC = BatchOptions.defaults()
            .executionMode(BatchOptions.ExecutionMode.IN_MEMORY_ATOMIC);
    private static final byte[] SECRET = "benchmark-secret-0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);

    private Topology topology;
    private RegionalSessionStore store;
    private RedissonClient raw;
    private RMap<String, String> rawMap;
    private RScript rawScript;
    private Session session;
    private String id;
    private String forgedId;
    private SessionIds ids;
    private Mac mac;
    private byte[] signed;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        topology = EmbeddedTopology.builder().site("eu-west").replicasPerSite(0).start();
        String uri = topology.redis("eu-west").uri();
        SessionKeyRing keys = SessionKeyRing.of(SECRET);
        store = RegionalSessionStore.start(SessionStoreConfig.builder("eu-west", keys)
                .region(RegionConfig.single("eu-west", uri).build()).build());
        SessionEdit edit = store.authenticate(store.create(), "user-bench", "eu-west").edit();
        for (int i = 0; i < 10; i++) {
            edit.put("attribute-" + i, "value-" + i + "-" + "x".repeat(24));
        }
        edit.causalToken("eu-west", "0/16B3748").causalToken("us-east", "0/9A0C110");
        session = store.save(edit);
        id = session.id().value();
        forgedId = id.substring(0, id.length() - 1) + (id.endsWith("A") ? "B" : "A");

        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setUseScriptCache(true);
        config.setNettyThreads(2);
        config.useSingleServer().setAddress(uri).setConnectionMinimumIdleSize(1).setConnectionPoolSize(16);
        raw = Redisson.create(config);
        RMap<String, String> stored = raw.getMap(RAW_KEY);
        stored.putAll(raw.<String, String>getMap(redisKeyOf(session)).readAllMap());
        rawMap = stored;
        rawScript = raw.getScript(StringCodec.INSTANCE);

        ids = new SessionIds(keys, Set.of("eu-west"), Clock.systemUTC());
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        signed = id.substring(0, id.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (raw != null) {
            raw.shutdown();
        }
        if (store != null) {
            store.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Benchmark
    public SessionLookup load() {
        return store.load(id);
    }

    @Benchmark
    public Map<String, String> baselineReadAllMap() {
        return rawMap.readAllMap();
    }

    @Benchmark
    public Session save() {
        String value = Long.toString(counter++);
        return store.save(session.edit().put("counter", value).causalToken("eu-west", "0/" + value));
    }

    @Benchmark
    public List<Object> baselineScript() {
        String value = Long.toString(counter++);
        return rawScript.eval(RAW_KEY, RScript.Mode.READ_WRITE, HSET_PEXPIRE, RScript.ReturnType.LIST,
                List.of(RAW_KEY), TTL_MILLIS, "_a", Long.toString(System.currentTimeMillis()), "a:counter", value,
                "t:eu-west", "0/" + value);
    }

    @Benchmark
    public BatchResult<?> baselineAtomicBatch() {
        String value = Long.toString(counter++);
        RBatch batch = raw.createBatch(ATOMIC);
        RMapAsync<String, String> map = batch.getMap(RAW_KEY);
        map.putAllAsync(Map.of("_a", Long.toString(System.currentTimeMillis()), "a:counter", value,
                "t:eu-west", "0/" + value));
        map.expireAsync(TTL);
        return batch.execute();
    }

    @Benchmark
    public Map<String, String> baselinePutAll() {
        String value = Long.toString(counter++);
        Map<String, String> fields = Map.of("_a", Long.toString(System.currentTimeMillis()), "a:counter", value,
                "t:eu-west", "0/" + value);
        rawMap.putAll(fields);
        return fields;
    }

    @Benchmark
    @Group("pairedLoad")
    @GroupThreads(1)
    public SessionLookup loadPaired() {
        return load();
    }

    @Benchmark
    @Group("pairedLoad")
    @GroupThreads(1)
    public Map<String, String> baselineReadAllMapPaired() {
        return baselineReadAllMap();
    }

    @Benchmark
    @Group("pairedSave")
    @GroupThreads(1)
    public Session savePaired() {
        return save();
    }

    @Benchmark
    @Group("pairedSave")
    @GroupThreads(1)
    public List<Object> baselineScriptPaired() {
        return baselineScript();
    }

    @Benchmark
    public IdVerification verifyId() {
        return ids.verify(id);
    }

    @Benchmark
    public IdVerification rejectForgedId() {
        return ids.verify(forgedId);
    }

    @Benchmark
    public byte[] baselineHmac() {
        return mac.doFinal(signed);
    }

    /** The session's hash key; the benchmark reads it once, only to copy the same fields into the raw baseline map. */
    private static String redisKeyOf(Session session) {
        String value = session.id().value();
        String[] parts = value.split("\\.");
        return "dom:s:{" + parts[2] + "}:" + parts[3];
    }
}
