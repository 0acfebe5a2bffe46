package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every SQL string the CockroachDB dialect produces, and its quoting. */
class CockroachSqlTest {

    @Test
    void boundedStalenessReadsUseWithMaxStalenessAndAnyReadsTheFollowerReadTimestamp() {
        assertThat(CockroachSql.asOfSystemTime(Consistency.boundedStaleness(Duration.ofSeconds(10))))
                .isEqualTo("AS OF SYSTEM TIME with_max_staleness('10s')");
        assertThat(CockroachSql.asOfSystemTime(Consistency.boundedStaleness(Duration.ofMillis(1500))))
                .isEqualTo("AS OF SYSTEM TIME with_max_staleness('1500ms')");
        assertThat(CockroachSql.asOfSystemTime(Consistency.ANY))
                .isEqualTo("AS OF SYSTEM TIME follower_read_timestamp()");
    }

    @Test
    void presentTimeLevelsTakeNoAsOfSystemTimeClause() {
        assertThatThrownBy(() -> CockroachSql.asOfSystemTime(Consistency.STRONG))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRONG reads at the present time");
        assertThatThrownBy(() -> CockroachSql.asOfSystemTime(Consistency.READ_YOUR_WRITES))
                .hasMessageContaining("READ_YOUR_WRITES");
    }

    @Test
    void intervalsAreExactOrRoundedDownNeverLoosened() {
        assertThat(CockroachSql.interval(Duration.ofMinutes(2))).isEqualTo("120s");
        assertThat(CockroachSql.interval(Duration.ofMillis(4800))).isEqualTo("4800ms");
        assertThat(CockroachSql.interval(Duration.ofNanos(2_500_999))).isEqualTo("2500us");
        assertThat(CockroachSql.interval(Duration.ofNanos(1_000))).isEqualTo("1us");
        assertThatThrownBy(() -> CockroachSql.interval(Duration.ofNanos(999)))
                .hasMessageContaining("at least 1 microsecond").hasMessageContaining("PT0.000000999S");
        assertThatThrownBy(() -> CockroachSql.interval(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
    }

    @Test
    void multiRegionDdlQuotesItsNames() {
        assertThat(CockroachSql.setPrimaryRegion("app", "eu-west"))
                .isEqualTo("ALTER DATABASE \"app\" SET PRIMARY REGION \"eu-west\"");
        assertThat(CockroachSql.addRegion("app", "us-east"))
                .isEqualTo("ALTER DATABASE \"app\" ADD REGION IF NOT EXISTS \"us-east\"");
        assertThat(CockroachSql.regionalByRow("notes"))
                .isEqualTo("ALTER TABLE \"notes\" SET LOCALITY REGIONAL BY ROW");
        assertThat(CockroachSql.regionalByRow("My \"odd\" table"))
                .isEqualTo("ALTER TABLE \"My \"\"odd\"\" table\" SET LOCALITY REGIONAL BY ROW");
    }

    @Test
    void namesAndLiteralsCannotEndTheirQuotes() {
        assertThat(CockroachSql.identifier("a\"; DROP TABLE x; --")).isEqualTo("\"a\"\"; DROP TABLE x; --\"");
        assertThat(CockroachSql.literal("it's")).isEqualTo("'it''s'");
        assertThatThrownBy(() -> CockroachSql.identifier(" ")).hasMessageContaining("non-blank");
        assertThatThrownBy(() -> CockroachSql.literal("a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> CockroachSql.setPrimaryRegion(null, "eu-west")).hasMessageContaining("'null'");
    }

    @Test
    void sessionAndProbeStatements() {
        assertThat(CockroachSql.READ_ONLY_SESSION).isEqualTo("SET default_transaction_read_only = on");
        assertThat(CockroachSql.FOLLOWER_READ_SESSION).isEqualTo("SET default_transaction_read_only = on;"
                + " SET default_transaction_use_follower_reads = on");
        assertThat(CockroachSql.REGION_PARAMETER).isEqualTo("?::crdb_internal_region");
        assertThat(CockroachSql.GATEWAY_PROBE)
                .isEqualTo("SELECT crdb_internal.node_id(), crdb_internal.locality_value('region')");
        assertThat(CockroachSql.FOLLOWER_READ_STALENESS).isEqualTo("SELECT ((extract(epoch FROM now())"
                + " - extract(epoch FROM follower_read_timestamp())) * 1000000)::INT8");
    }
}
