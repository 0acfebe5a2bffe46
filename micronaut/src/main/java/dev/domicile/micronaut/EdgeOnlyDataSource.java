package dev.domicile.micronaut;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The application's {@link DataSource} at an edge-only site that declares no database: it hands out no connection.
 * Every request with a user is forwarded (or redirected) before a controller runs, so only code that runs here
 * without a user (with {@code domicile.filter.missing-user: PASS_THROUGH}) or outside a request can call it; it then
 * fails with {@link EdgeOnlyException}, which a request answers with {@code 503} ({@link RefusalResponses}). It
 * exists so that the same application, with controllers that inject a {@code DataSource}, starts at an edge site.
 * Stateless and thread-safe.
 */
final class EdgeOnlyDataSource implements DataSource {

    private final String localSite;

    EdgeOnlyDataSource(String localSite) {
        this.localSite = localSite;
    }

    /** @throws EdgeOnlyException always */
    @Override
    public Connection getConnection() throws SQLException {
        throw new EdgeOnlyException(localSite);
    }

    /** @throws EdgeOnlyException always */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new EdgeOnlyException(localSite);
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no log: no connection is ever made
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // no login: no connection is ever made
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
