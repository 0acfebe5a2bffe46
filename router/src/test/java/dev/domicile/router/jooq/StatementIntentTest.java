package dev.domicile.router.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.sequence;
import static org.jooq.impl.DSL.table;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read/write rule on SQL as jOOQ renders it for PostgreSQL, and on plain SQL. */
class StatementIntentTest {

    private static final DSLContext PG = DSL.using(SQLDialect.POSTGRES);
    private static final Table<Record> NOTES = table(name("notes"));
    private static final Field<String> OWNER = field(name("owner"), String.class);
    private static final Field<String> BODY = field(name("body"), String.class);

    private static boolean reads(Query query) {
        return StatementIntent.readsOnly(PG.render(query));
    }

    @Test
    void plainQueriesRead() {
        assertThat(reads(PG.selectFrom(NOTES).where(OWNER.eq("bob")))).isTrue();
        assertThat(reads(PG.select(DSL.count()).from(NOTES))).isTrue();
        assertThat(reads(PG.selectOne().union(PG.selectOne()))).isTrue();
        assertThat(reads(PG.with("mine").as(PG.selectFrom(NOTES).where(OWNER.eq("bob")))
                .selectFrom(table(name("mine"))))).isTrue();
    }

    @Test
    void lockingQueriesWrite() {
        assertThat(reads(PG.selectFrom(NOTES).forUpdate())).isFalse();
        assertThat(reads(PG.selectFrom(NOTES).forNoKeyUpdate())).isFalse();
        assertThat(reads(PG.selectFrom(NOTES).forShare())).isFalse();
        assertThat(reads(PG.selectFrom(NOTES).forKeyShare())).isFalse();
        assertThat(reads(PG.selectFrom(NOTES).forUpdate().skipLocked())).isFalse();
        assertThat(reads(PG.selectFrom(PG.selectFrom(NOTES).forUpdate().asTable("locked")))).isFalse();
    }

    @Test
    void dmlAndQueriesThatWriteWrite() {
        assertThat(reads(PG.insertInto(NOTES, OWNER, BODY).values("bob", "x").returning())).isFalse();
        assertThat(reads(PG.update(NOTES).set(BODY, "y").where(OWNER.eq("bob")).returning())).isFalse();
        assertThat(reads(PG.deleteFrom(NOTES).where(OWNER.eq("bob")))).isFalse();
        assertThat(reads(PG.with("gone").as(PG.deleteFrom(NOTES).returning())
                .selectFrom(table(name("gone"))))).isFalse();
        assertThat(reads(PG.select(sequence(name("note_ids")).nextval()))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "select 'for update; delete from t' from t",
        "select \"update\", \"insert\"\"x\" from t",
        "select 1 -- update t\n",
        "/* insert /* nested */ delete */ select 1",
        "SELECT E'it\\'s an update' FROM t",
        "select $$ delete $$, $tag$ update $tag$",
        "  (select $1) union (select 2)",
        "VALUES (1), (2)",
        "WITH x AS (SELECT 1) SELECT * FROM x"
    })
    void wordsInLiteralsIdentifiersAndCommentsDoNotCount(String sql) {
        assertThat(StatementIntent.readsOnly(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "explain analyze delete from t",
        "show all",
        "select * into copy from t",
        "select 1 for share",
        "select 1 for key share",
        "select setval('s', 1)",
        "with d as (delete from t returning *) select * from d",
        "select E'\\'' , 1 from t for update",
        "update t set x = 1"
    })
    void everythingElseWrites(String sql) {
        assertThat(StatementIntent.readsOnly(sql)).isFalse();
    }
}
