package dev.domicile.router.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.router.Consistency;
import dev.domicile.router.Intent;
import dev.domicile.router.Router;
import dev.domicile.router.Routing;
import dev.domicile.router.RoutingContext;
import dev.domicile.router.RoutingDataSource;
import dev.domicile.router.RoutingDecision;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.router.RoutingDecision.TokenOutcome;
import dev.domicile.router.TopologyRouting;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * jOOQ through the router at site us-east over real servers: us-east's partition has a primary and a streaming
 * replica. Bob lives in us-east. No test declares an intent unless it is about declared intents.
 */
class DomicileJooqTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("us-east").replicasPerSite(1).redis(false));

    private static final Table<Record> NOTES = table(name("notes"));
    private static final Field<String> OWNER = field(name("owner"), String.class);
    private static final Field<String> BODY = field(name("body"), String.class);
    private static final Field<Integer> SERVER_PORT = field("inet_server_port()", Integer.class);
    private static final List<RoutingDecision> DECISIONS = new CopyOnWriteArrayList<>();

    private static RoutingDataSource dataSource;
    private static Router router;
    private static DSLContext dsl;
    private static Endpoint primary;
    private static Endpoint replica;

    @BeforeAll
    static void open() throws Exception {
        Topology topology = TOPOLOGY.topology();
        primary = topology.primary("us-east");
        replica = topology.replicas("us-east").get(0);
        try (Connection c = topology.connect(primary); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id serial PRIMARY KEY, owner text, body text)");
        }
        // Reads without a token may go to the replica at once: it must know the table first.
        await().atMost(Duration.ofSeconds(60)).until(() ->
                topology.replayLsn(replica).compareTo(topology.currentLsn(primary)) >= 0);
        PartitionMap map = TopologyRouting.map(topology, Map.of("bob", "us-east"));
        dataSource = RoutingDataSource.create(TopologyRouting.config(topology, "us-east")
                .readYourWritesWait(Duration.ofSeconds(1)).build(), () -> map);
        dataSource.addListener(DECISIONS::add);
        router = dataSource.router();
        dsl = DomicileJooq.using(dataSource);
        // jOOQ reads the server version on the first connection of the JVM (getMetaData() binds it): done here, so
        // every test sees one decision per routed connection.
        router.forUser("bob").run(() -> dsl.selectOne().fetch());
    }

    @AfterAll
    static void close() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @AfterEach
    void noConnectionLeaks() {
        assertThat(dataSource.activeConnections().values()).allMatch(active -> active == 0);
    }

    /** The decision of the last connection bound while {@code work} ran. */
    private static RoutingDecision decisionOf(Runnable work) {
        int before = DECISIONS.size();
        work.run();
        assertThat(DECISIONS.size()).as("a connection was bound").isGreaterThan(before);
        return DECISIONS.get(DECISIONS.size() - 1);
    }

    private static int countNotes(DSLContext context, String body) {
        return context.fetchCount(NOTES, OWNER.eq("bob").and(BODY.eq(body)));
    }

    private static void insertNote(String body) {
        dsl.insertInto(NOTES, OWNER, BODY).values("bob", body).execute();
    }

    @Test
    void selectsGoToTheReplicaAndDmlToThePrimaryWithoutDeclaringIntent() {
        router.forUser("bob").run(() -> {
            RoutingDecision insert = decisionOf(() -> insertNote("dml"));
            assertThat(insert.reason()).isEqualTo(Reason.WRITE_TO_PRIMARY);
            assertThat(insert.endpoint()).isEqualTo(primary.name());
            RoutingDecision update = decisionOf(() -> dsl.update(NOTES).set(BODY, "dml-2")
                    .where(OWNER.eq("bob").and(BODY.eq("dml"))).execute());
            assertThat(update.endpoint()).isEqualTo(primary.name());
            int[] returnedPort = new int[1];
            RoutingDecision returning = decisionOf(() -> returnedPort[0] = dsl.insertInto(NOTES, OWNER, BODY)
                    .values("bob", "dml-3").returningResult(SERVER_PORT).fetchOne().value1());
            assertThat(returning.endpoint()).isEqualTo(primary.name());
            assertThat(returnedPort[0]).isEqualTo(primary.port());
            RoutingDecision delete = decisionOf(() -> dsl.deleteFrom(NOTES).where(BODY.eq("dml-3")).execute());
            assertThat(delete.endpoint()).isEqualTo(primary.name());
        });
        // A later request with no token reads from the replica.
        router.forUser("bob").run(() -> {
            int[] port = new int[1];
            RoutingDecision select = decisionOf(() -> port[0] = dsl.select(SERVER_PORT).fetchOne().value1());
            assertThat(select.reason()).isEqualTo(Reason.LOCAL_REPLICA);
            assertThat(select.intent()).isEqualTo(Intent.READ);
            assertThat(port[0]).isEqualTo(replica.port());
            RoutingDecision selectFrom = decisionOf(() -> dsl.selectFrom(NOTES).where(OWNER.eq("bob")).fetch());
            assertThat(selectFrom.endpoint()).isEqualTo(replica.name());
        });
    }

    @Test
    void lockingSelectsGoToThePrimary() {
        router.forUser("bob").run(() -> {
            assertThat(decisionOf(() -> dsl.selectFrom(NOTES).where(OWNER.eq("bob")).forUpdate().fetch()).reason())
                    .isEqualTo(Reason.WRITE_TO_PRIMARY);
            assertThat(decisionOf(() -> dsl.selectFrom(NOTES).where(OWNER.eq("bob")).forShare().fetch()).reason())
                    .isEqualTo(Reason.WRITE_TO_PRIMARY);
            assertThat(decisionOf(() -> dsl.selectFrom(NOTES).forNoKeyUpdate().skipLocked().fetch()).endpoint())
                    .isEqualTo(primary.name());
        });
    }

    @Test
    void aTransactionThatWritesStaysOnThePrimaryForItsReads() {
        router.forUser("bob").run(() -> {
            int before = DECISIONS.size();
            int port = dsl.transactionResult(trx -> {
                trx.dsl().insertInto(NOTES, OWNER, BODY).values("bob", "tx").execute();
                assertThat(countNotes(trx.dsl(), "tx")).as("its own uncommitted write").isEqualTo(1);
                return trx.dsl().select(SERVER_PORT).fetchOne().value1();
            });
            assertThat(port).isEqualTo(primary.port());
            assertThat(DECISIONS.subList(before, DECISIONS.size())).singleElement()
                    .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.WRITE_TO_PRIMARY));

            // A transaction that reads first cannot know it will write: it starts on the primary too.
            int readFirst = DECISIONS.size();
            dsl.transaction(trx -> {
                int count = countNotes(trx.dsl(), "tx");
                trx.dsl().insertInto(NOTES, OWNER, BODY).values("bob", "tx-" + count).execute();
            });
            assertThat(DECISIONS.subList(readFirst, DECISIONS.size())).singleElement()
                    .satisfies(d -> assertThat(d.endpoint()).isEqualTo(primary.name()));
        });
    }

    @Test
    void aReadTransactionDeclaredByTheRequestStaysOnTheReplicaAndItsConsistency() throws Exception {
        int port = router.forUser("bob").intent(Intent.READ).call(() -> dsl.transactionResult(trx -> {
            countNotes(trx.dsl(), "tx");
            return trx.dsl().select(SERVER_PORT).fetchOne().value1();
        }));
        assertThat(port).isEqualTo(replica.port());

        assertThatThrownBy(() -> router.forUser("bob").intent(Intent.READ).run(() -> dsl.transaction(trx -> {
            countNotes(trx.dsl(), "tx");
            DomicileJooq.withConsistency(Consistency.STRONG, trx.dsl()).fetchCount(NOTES);
        }))).isInstanceOf(DataAccessException.class).hasMessageContaining("inside a transaction");
    }

    @Test
    void aReadSeesTheWritesOfEarlierJooqCallsInTheSameRequest() {
        Topology topology = TOPOLOGY.topology();
        topology.pauseReplay(replica);
        try {
            router.forUser("bob").run(() -> {
                insertNote("ryw-paused");
                int[] count = new int[1];
                RoutingDecision read = decisionOf(() -> count[0] = countNotes(dsl, "ryw-paused"));
                assertThat(count[0]).as("never a stale read").isEqualTo(1);
                assertThat(read.reason()).isEqualTo(Reason.PRIMARY_FALLBACK);
                assertThat(read.token()).isEqualTo(TokenOutcome.FELL_BACK);
            });
        } finally {
            topology.resumeReplay(replica);
        }

        RoutingContext request = router.forUser("bob").context();
        Routing.run(request, () -> insertNote("ryw"));
        long token = request.tokens().positionOf(PartitionId.of("us-east"));
        assertThat(token).as("the jOOQ insert advanced the token").isPositive();
        await().atMost(Duration.ofSeconds(60)).until(() -> dataSource.endpointStates().stream()
                .filter(s -> s.endpoint().name().equals(replica.name()))
                .allMatch(s -> Long.compareUnsigned(s.lsn(), token) >= 0));
        Routing.run(request, () -> {
            int[] count = new int[1];
            RoutingDecision read = decisionOf(() -> count[0] = countNotes(dsl, "ryw"));
            assertThat(count[0]).isEqualTo(1);
            assertThat(read.endpoint()).isEqualTo(replica.name());
            assertThat(read.token()).isEqualTo(TokenOutcome.MET);
        });
    }

    @Test
    void aPerQueryConsistencyOverridesTheRequestsForThatQueryOnly() {
        DSLContext strong = DomicileJooq.withConsistency(Consistency.STRONG, dsl);
        assertThat(DomicileJooq.consistency(strong.configuration())).contains(Consistency.STRONG);
        assertThat(DomicileJooq.consistency(dsl.configuration())).as("the original is unchanged").isEmpty();
        router.forUser("bob").run(() -> {
            int[] port = new int[1];
            RoutingDecision read = decisionOf(() -> port[0] = strong.select(SERVER_PORT).fetchOne().value1());
            assertThat(read.reason()).isEqualTo(Reason.STRONG_READ);
            assertThat(port[0]).isEqualTo(primary.port());
            assertThat(dsl.select(SERVER_PORT).fetchOne().value1()).isEqualTo(replica.port());
        });

        Topology topology = TOPOLOGY.topology();
        topology.pauseReplay(replica);
        try {
            DSLContext any = DomicileJooq.withConsistency(Consistency.ANY, dsl);
            router.forUser("bob").run(() -> {
                insertNote("any");
                int[] count = new int[1];
                RoutingDecision stale = decisionOf(() -> count[0] = countNotes(any, "any"));
                assertThat(stale.endpoint()).as("ANY accepts the paused replica").isEqualTo(replica.name());
                assertThat(stale.consistency()).isEqualTo(Consistency.ANY);
                assertThat(count[0]).isZero();
                assertThat(countNotes(dsl, "any")).as("the request's own level still applies").isEqualTo(1);
            });
        } finally {
            topology.resumeReplay(replica);
        }
    }

    @Test
    void aConsistencyOverrideNeedsTheListener() {
        assertThatThrownBy(() -> DomicileJooq.withConsistency(Consistency.STRONG, DSL.using(SQLDialect.POSTGRES)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DomicileJooq.using");
    }

    @Test
    void aDeclaredIntentWins() throws Exception {
        RoutingDecision write = router.forUser("bob").intent(Intent.WRITE)
                .call(() -> decisionOf(() -> dsl.selectFrom(NOTES).fetch()));
        assertThat(write.reason()).isEqualTo(Reason.WRITE_TO_PRIMARY);
        assertThatThrownBy(() -> router.forUser("bob").intent(Intent.READ).run(() -> insertNote("declared-read")))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("read-only");
    }

    @Test
    void batchesDdlAndPlainSqlRouteByWhatTheyDo() {
        router.forUser("bob").run(() -> {
            assertThat(decisionOf(() -> dsl.batch(
                    dsl.insertInto(NOTES, OWNER, BODY).values("bob", "batch-1"),
                    dsl.insertInto(NOTES, OWNER, BODY).values("bob", "batch-2")).execute()).endpoint())
                    .isEqualTo(primary.name());
            assertThat(decisionOf(() -> dsl.batch(dsl.insertInto(NOTES, OWNER, BODY).values((String) null, null))
                    .bind("bob", "batch-3").bind("bob", "batch-4").execute()).endpoint())
                    .isEqualTo(primary.name());
            assertThat(decisionOf(() -> dsl.createTableIfNotExists("jooq_ddl").column("id", SQLDataType.INTEGER)
                    .execute()).reason()).isEqualTo(Reason.WRITE_TO_PRIMARY);
            assertThat(decisionOf(() -> dsl.dropTable("jooq_ddl").execute()).endpoint()).isEqualTo(primary.name());

            assertThat(dsl.fetchValue("select inet_server_port()")).isEqualTo(replica.port());
            assertThat(dsl.fetchValue("with n as (insert into notes (owner, body) values ('bob', 'cte') returning id)"
                    + " select inet_server_port() from n")).as("a SELECT whose CTE writes").isEqualTo(primary.port());
        });
    }

    @Test
    void withoutARoutingContextAJooqQueryFailsAndSaysHowToBindOne() {
        assertThatThrownBy(() -> dsl.selectFrom(NOTES).fetch()).isInstanceOf(DataAccessException.class)
                .hasMessageContaining("no routing context").hasMessageContaining("router.forUser");
    }

    @Test
    void aConnectionThatIsNotRoutedFailsClearly() throws SQLException {
        try (Connection direct = TOPOLOGY.topology().connect(primary)) {
            DSLContext plain = DSL.using(new DefaultConfiguration().set(direct).set(SQLDialect.POSTGRES)
                    .set(new DomicileExecuteListener()));
            assertThatThrownBy(() -> plain.selectOne().fetch()).isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("RoutingDataSource").hasMessageContaining("DomicileJooq.using");
        }
    }
}
