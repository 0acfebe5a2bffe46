package dev.domicile.router;

import java.time.Duration;
import java.util.Objects;

/**
 * The CockroachDB SQL the router sends and the SQL it offers applications ({@link Dialect#COCKROACHDB}).
 *
 * <h2>Why follower reads are per session, and {@code with_max_staleness} per statement</h2>
 * A routed connection may run any number of statements, in auto-commit mode or in a transaction, written by the
 * application. CockroachDB's bounded-staleness functions ({@code with_max_staleness}, {@code with_min_timestamp})
 * are accepted only in a single-statement implicit transaction that reads at most one row without an index join,
 * inside the statement's own {@code AS OF SYSTEM TIME} clause, so the router cannot apply them to a connection.
 * Exact-staleness follower reads can: with {@code default_transaction_use_follower_reads = on} every read-only
 * transaction of the session, implicit or explicit, runs {@code AS OF SYSTEM TIME follower_read_timestamp()}. The
 * router therefore serves BOUNDED_STALENESS(d) and ANY reads from sessions opened with {@link #FOLLOWER_READ_SESSION}
 * when the gateway's follower-read staleness ({@code now() - follower_read_timestamp()}, a few seconds, measured by
 * the monitor) is at most d, and at the present time otherwise (zero staleness meets every bound). Applications
 * that want the freshest local data for a single-row lookup add {@link #asOfSystemTime(Consistency)} to it, on a
 * connection routed at STRONG or READ_YOUR_WRITES (whose session is not a follower-read one).
 *
 * <p>Every method is pure; identifiers and literals are quoted, so no input can end a string or an identifier.
 */
public final class CockroachSql {

    /** Init SQL of a gateway's present-time read pool: every transaction of the session is read-only. */
    public static final String READ_ONLY_SESSION = "SET default_transaction_read_only = on";

    /**
     * Init SQL of a gateway's follower-read pool: every transaction of the session, implicit or explicit, is
     * read-only and reads at {@code follower_read_timestamp()}.
     */
    public static final String FOLLOWER_READ_SESSION = "SET default_transaction_read_only = on;"
            + " SET default_transaction_use_follower_reads = on";

    /**
     * The placeholder for a {@code crdb_region} value in a prepared statement; bind the region name as a string
     * (a string parameter is not implicitly an enum value).
     */
    public static final String REGION_PARAMETER = "?::crdb_internal_region";

    /** The monitor's probe of a gateway: its node id and the region of its locality (NULL when it has none). */
    static final String GATEWAY_PROBE = "SELECT crdb_internal.node_id(), crdb_internal.locality_value('region')";

    /** The monitor's measure of how stale a follower read is on a gateway, in microseconds. */
    static final String FOLLOWER_READ_STALENESS = "SELECT ((extract(epoch FROM now())"
            + " - extract(epoch FROM follower_read_timestamp())) * 1000000)::INT8";

    private CockroachSql() {
    }

    /**
     * The {@code AS OF SYSTEM TIME} clause of a single statement read at {@code consistency}: for
     * {@code BOUNDED_STALENESS(d)}, {@code AS OF SYSTEM TIME with_max_staleness('<d>')} (the freshest data a nearby
     * replica holds, at most d old; only in a single-statement read of at most one row); for ANY,
     * {@code AS OF SYSTEM TIME follower_read_timestamp()}. It goes after the statement's {@code FROM} clause.
     *
     * @throws IllegalArgumentException for STRONG and READ_YOUR_WRITES, which read at the present time, or for a
     *                                  bound under a microsecond
     */
    public static String asOfSystemTime(Consistency consistency) {
        return switch (consistency.level()) {
            case BOUNDED_STALENESS -> "AS OF SYSTEM TIME with_max_staleness(" + literal(interval(
                    consistency.maxStaleness())) + ")";
            case ANY -> "AS OF SYSTEM TIME follower_read_timestamp()";
            case STRONG, READ_YOUR_WRITES -> throw new IllegalArgumentException(consistency
                    + " reads at the present time and takes no AS OF SYSTEM TIME clause");
        };
    }

    /** Makes {@code database} multi-region with {@code region} as its primary region. */
    public static String setPrimaryRegion(String database, String region) {
        return "ALTER DATABASE " + identifier(database) + " SET PRIMARY REGION " + identifier(region);
    }

    /** Adds {@code region} to the multi-region {@code database}. */
    public static String addRegion(String database, String region) {
        return "ALTER DATABASE " + identifier(database) + " ADD REGION IF NOT EXISTS " + identifier(region);
    }

    /**
     * Homes each row of {@code table} in the region its hidden {@code crdb_region} column names. {@code table} is one
     * identifier (quoted as given), not a qualified name.
     */
    public static String regionalByRow(String table) {
        return "ALTER TABLE " + identifier(table) + " SET LOCALITY REGIONAL BY ROW";
    }

    /** {@code value} as a double-quoted identifier. @throws IllegalArgumentException if blank or with a NUL */
    static String identifier(String value) {
        check(value, "identifier");
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** {@code value} as a single-quoted string literal. @throws IllegalArgumentException if blank or with a NUL */
    static String literal(String value) {
        check(value, "literal");
        return '\'' + value.replace("'", "''") + '\'';
    }

    /**
     * {@code d} as a CockroachDB interval: whole seconds ({@code 10s}), else whole milliseconds ({@code 1500ms}),
     * else microseconds, rounded down so that the bound is never loosened ({@code 2500us}).
     *
     * @throws IllegalArgumentException if under a microsecond
     */
    static String interval(Duration d) {
        Objects.requireNonNull(d, "d");
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (d.isNegative() || (seconds == 0 && nanos < 1000)) {
            throw new IllegalArgumentException("a staleness bound must be at least 1 microsecond, was " + d);
        }
        if (nanos == 0) {
            return seconds + "s";
        }
        if (nanos % 1_000_000 == 0) {
            return Math.addExact(Math.multiplyExact(seconds, 1000L), nanos / 1_000_000) + "ms";
        }
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000) + "us";
    }

    private static void check(String value, String what) {
        if (value == null || value.isBlank() || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a SQL " + what + " must be non-blank without NUL characters, was '"
                    + value + "'");
        }
    }
}
