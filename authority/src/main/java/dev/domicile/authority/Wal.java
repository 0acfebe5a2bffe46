package dev.domicile.authority;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** PostgreSQL WAL positions and timelines: parsing, formatting, and the few queries failover needs. Stateless. */
final class Wal {

    private Wal() {
    }

    /** Parses {@code 16/B374D848}; null parses as 0. */
    static long parse(String text) {
        if (text == null) {
            return 0;
        }
        int slash = text.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex): '" + text + "'");
        }
        return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
    }

    static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }

    static String query(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean inRecovery(Connection connection) throws SQLException {
        return "t".equals(query(connection, "SELECT pg_is_in_recovery()"));
    }

    /** A primary's current WAL write position. */
    static long current(Connection primary) throws SQLException {
        return parse(query(primary, "SELECT pg_current_wal_lsn()::text"));
    }

    /**
     * The end of the last WAL record a primary inserted. Unlike the write position, it is never rounded up to the end
     * of a WAL page that was written out whole.
     */
    static long inserted(Connection primary) throws SQLException {
        return parse(query(primary, "SELECT pg_current_wal_insert_lsn()::text"));
    }

    /** A replica's last replayed position (0 if none). */
    static long replayed(Connection replica) throws SQLException {
        return parse(query(replica, "SELECT pg_last_wal_replay_lsn()::text"));
    }

    /**
     * How many commit records a primary's WAL holds after {@code from}, up to what it flushed (an acknowledged commit
     * is flushed, unless {@code synchronous_commit} is off), by {@code pg_walinspect}; -1 if that extension is not
     * installed or cannot read the range (e.g. its WAL was recycled).
     */
    static long commitsAfter(Connection primary, long from) throws SQLException {
        if (!"t".equals(query(primary, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_walinspect')"))) {
            return -1;
        }
        long flushed = parse(query(primary, "SELECT pg_current_wal_flush_lsn()::text"));
        if (Long.compareUnsigned(flushed, from) <= 0) {
            return 0; // nothing flushed after it; a commit is flushed before it is acknowledged
        }
        try {
            return Long.parseLong(query(primary, "SELECT count(*) FROM pg_get_wal_records_info('" + format(from)
                    + "', '" + format(flushed) + "') WHERE resource_manager = 'Transaction'"
                    + " AND record_type LIKE 'COMMIT%'"));
        } catch (SQLException e) {
            if (!primary.getAutoCommit()) {
                primary.rollback();
            }
            return -1;
        }
    }

    /** The timeline a primary writes on: the first 8 hex digits of its current WAL file's name. */
    static long timeline(Connection primary) throws SQLException {
        return Long.parseLong(query(primary, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"), 16);
    }

    /**
     * Where a just-promoted database's timeline began: the switch point recorded in its timeline history file
     * ({@code pg_wal/<tli>.history}, last line), which needs the right to read server files (superuser or
     * {@code pg_read_server_files}); without it, {@code fallbackLsn} (e.g. the replay position read before
     * promotion).
     */
    static TimelineStart timelineStart(Connection promoted, String name, long fallbackLsn) throws SQLException {
        long timeline = timeline(promoted);
        long switchPoint = fallbackLsn;
        if (timeline > 1) {
            try (Statement s = promoted.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT pg_read_file('pg_wal/' || upper(lpad(to_hex(" + timeline + "), 8, '0')) || '.history')")) {
                rs.next();
                String history = rs.getString(1);
                String[] lines = history.strip().split("\n");
                String[] fields = lines[lines.length - 1].strip().split("\\s+");
                switchPoint = parse(fields[1]);
            } catch (SQLException e) {
                if (!promoted.getAutoCommit()) {
                    promoted.rollback();
                }
                // keep the fallback: the history file cannot be read with this role
            }
        }
        return new TimelineStart(name, switchPoint, timeline);
    }
}
