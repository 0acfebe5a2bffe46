package dev.domicile.benchmarks;

import dev.domicile.authority.Fence;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
 * The cost of the database fence: single-row INSERT transactions (auto-commit) per second into a fenced table by a
 * session stamped with the current epoch, vs. the same INSERT into an identical table without the fence, on the
 * embedded PostgreSQL. The figure that matters is {@code insertFenced / baselineInsertUnfenced} (throughput).
 *
 * <p>Run one after the other, the two methods see different load on a shared machine, and their ratio mixes two
 * load periods. The group {@code paired} runs them at the same time instead, one thread each on its own connection
 * ({@code paired:insertFencedPaired} and {@code paired:baselineInsertUnfencedPaired}), so that whatever else the
 * machine does slows both alike: read the ratio of those two.
 *
 * <p>The group {@code pairedPrivileges} does the same on a second database whose fence is in privileges mode
 * ({@link Fence#usePrivileges}): both tables are written by a session stamped with epoch 1, hence switched to the
 * epoch's role, which inherits the base role's privileges on the unfenced table and alone holds those on the fenced
 * one, so both INSERTs pay the same privilege check and the ratio shows what the fence adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class FenceBenchmark {

    private Topology topology;
    private Connection connection;
    private PreparedStatement plain;
    private PreparedStatement fenced;
    private String privilegedUrl;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        topology = EmbeddedTopology.builder().site("eu-west").replicasPerSite(0).redis(false).start();
        connection = topology.connect(topology.primary("eu-west"));
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE plain (id bigserial PRIMARY KEY, body text)");
            s.execute("CREATE TABLE fenced (id bigserial PRIMARY KEY, body text)");
        }
        Fence.install(connection, "eu-west", 1);
        Fence.fenceTable(connection, "fenced");
        try (Statement s = connection.createStatement()) {
            s.execute(Fence.stampSql(1));
        }
        plain = connection.prepareStatement("INSERT INTO plain (body) VALUES ('x')");
        fenced = connection.prepareStatement("INSERT INTO fenced (body) VALUES ('x')");

        try (Statement s = connection.createStatement()) {
            s.execute("CREATE DATABASE privileged");
            s.execute("CREATE ROLE bench_app NOLOGIN");
        }
        Endpoint primary = topology.primary("eu-west");
        privilegedUrl = primary.jdbcUrl().replace("/" + primary.database() + "?", "/privileged?");
        try (Connection admin = DriverManager.getConnection(privilegedUrl); Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE plain (id bigserial PRIMARY KEY, body text)");
            s.execute("CREATE TABLE fenced (id bigserial PRIMARY KEY, body text)");
            s.execute("GRANT ALL ON plain, fenced, plain_id_seq, fenced_id_seq TO bench_app");
            Fence.install(admin, "eu-west", 1);
            Fence.fenceTable(admin, "fenced");
            Fence.usePrivileges(admin, "bench_app");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        connection.close();
        topology.close();
    }

    /** One connection per thread, stamped with epoch 1, writing both tables. */
    public abstract static class Session {

        private Connection connection;
        PreparedStatement plain;
        PreparedStatement fenced;

        void open(Connection stamped) throws SQLException {
            connection = stamped;
            try (Statement s = connection.createStatement()) {
                s.execute(Fence.stampSql(1));
            }
            plain = connection.prepareStatement("INSERT INTO plain (body) VALUES ('x')");
            fenced = connection.prepareStatement("INSERT INTO fenced (body) VALUES ('x')");
        }

        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.close();
        }
    }

    /** A session of the database fenced by the trigger, for the group {@code paired}. */
    @State(Scope.Thread)
    public static class Writer extends Session {

        @Setup(Level.Trial)
        public void open(FenceBenchmark database) throws SQLException {
            open(database.topology.connect(database.topology.primary("eu-west")));
        }
    }

    /** A session of the database fenced in privileges mode, for the group {@code pairedPrivileges}. */
    @State(Scope.Thread)
    public static class PrivilegedWriter extends Session {

        @Setup(Level.Trial)
        public void open(FenceBenchmark database) throws SQLException {
            open(DriverManager.getConnection(database.privilegedUrl));
        }
    }

    @Benchmark
    @Group("pairedPrivileges")
    @GroupThreads(1)
    public int baselineInsertUnfencedPrivilegedPaired(PrivilegedWriter writer) throws SQLException {
        return writer.plain.executeUpdate();
    }

    @Benchmark
    @Group("pairedPrivileges")
    @GroupThreads(1)
    public int insertFencedByPrivilegesPaired(PrivilegedWriter writer) throws SQLException {
        return writer.fenced.executeUpdate();
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public int baselineInsertUnfencedPaired(Writer writer) throws SQLException {
        return writer.plain.executeUpdate();
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public int insertFencedPaired(Writer writer) throws SQLException {
        return writer.fenced.executeUpdate();
    }

    @Benchmark
    public int baselineInsertUnfenced() throws SQLException {
        return plain.executeUpdate();
    }

    @Benchmark
    public int insertFenced() throws SQLException {
        return fenced.executeUpdate();
    }
}
