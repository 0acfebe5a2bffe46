package dev.domicile.benchmarks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
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
 * <p>Every JDBC object is a dynamic proxy returning defaults, the same for the baseline and the router. The calls a
 * borrow makes are kept cheap, so that they do not dilute the router's share: each connection's
 * {@code createStatement()} (no arguments) hands out one statement made once (its overloads make a new one), and a connection's or statement's handler recognises
 * {@code createStatement} and {@code close} (by {@link Method#equals}) before it looks at method names.
 */
public final class StubDriver implements Driver {

    private static final Method CREATE_STATEMENT = method(Connection.class, "createStatement");
    private static final Method CONNECTION_CLOSE = method(Connection.class, "close");
    private static final Method STATEMENT_CLOSE = method(Statement.class, "close");

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
        Statement statement = statement(replica);
        return proxy(Connection.class, (p, method, args) -> {
            if (CREATE_STATEMENT.equals(method)) {
                return statement;
            }
            return CONNECTION_CLOSE.equals(method) ? null : connectionCall(p, method, args, url, replica);
        });
    }

    private static Object connectionCall(Object p, Method method, Object[] args, String url, boolean replica) {
        return switch (method.getName()) {
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
        };
    }

    private static Statement statement(boolean replica) {
        return proxy(Statement.class, (p, method, args) -> STATEMENT_CLOSE.equals(method) ? null : switch (method.getName()) {
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

    private static Method method(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
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
