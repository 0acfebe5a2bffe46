package dev.domicile.benchmarks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver that talks to nothing, so that a benchmark measures only the pool and the router above it (as
 * HikariCP's own benchmarks do). It takes over {@code jdbc:postgresql://stub/<role>} URLs: {@code role} is
 * {@code primary} or {@code replica}, which is what the stub answers to the router's monitor probe
 * ({@code pg_is_in_recovery()}); a replica reports it has replayed everything.
 *
 * <p>Every JDBC object is a dynamic proxy returning defaults, the same for the baseline and the router.
 */
public final class StubDriver implements Driver {

    public static final String PRIMARY_URL = "jdbc:postgresql://stub/primary";
    public static final String REPLICA_URL = "jdbc:postgresql://stub/replica";

    private static final StubDriver INSTANCE = new StubDriver();

    private StubDriver() {
    }

    /** Replaces every registered driver that accepts the stub URLs (the real PostgreSQL driver) with the stub. */
    public static synchronized void install() throws SQLException {
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver != INSTANCE && driver.acceptsURL(PRIMARY_URL)) {
                DriverManager.deregisterDriver(driver);
            }
        }
        if (!Collections.list(DriverManager.getDrivers()).contains(INSTANCE)) {
            DriverManager.registerDriver(INSTANCE);
        }
    }

    @Override
    public Connection connect(String url, Properties info) {
        if (!acceptsURL(url)) {
            return null;
        }
        boolean replica = url.endsWith("/replica");
        return proxy(Connection.class, (p, method, args) -> switch (method.getName()) {
            case "createStatement" -> statement(replica);
            case "isValid", "getAutoCommit" -> true;
            case "isClosed", "isReadOnly" -> false;
            case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
            case "getNetworkTimeout", "getHoldability" -> 0;
            case "unwrap" -> null;
            case "isWrapperFor" -> false;
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == args[0];
            case "toString" -> "StubConnection[" + url + "]";
            default -> null;
        });
    }

    private static Statement statement(boolean replica) {
        return proxy(Statement.class, (p, method, args) -> switch (method.getName()) {
            case "executeQuery" -> probeAnswer(replica);
            case "execute" -> false;
            case "executeUpdate", "getUpdateCount", "getQueryTimeout", "getMaxRows", "getFetchSize" -> 0;
            case "isClosed" -> false;
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == args[0];
            case "toString" -> "StubStatement";
            default -> null;
        });
    }

    /** One row: in recovery (for a replica), WAL position, no replay timestamp. */
    private static ResultSet probeAnswer(boolean replica) {
        boolean[] consumed = {false};
        return proxy(ResultSet.class, (p, method, args) -> switch (method.getName()) {
            case "next" -> {
                boolean hasRow = !consumed[0];
                consumed[0] = true;
                yield hasRow;
            }
            case "getBoolean" -> replica;
            case "getString" -> "FFFFFFFF/0";
            case "getLong", "getInt" -> 0;
            case "wasNull" -> false;
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == args[0];
            default -> null;
        });
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(StubDriver.class.getClassLoader(), new Class<?>[] {type}, handler));
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:postgresql://stub/");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
