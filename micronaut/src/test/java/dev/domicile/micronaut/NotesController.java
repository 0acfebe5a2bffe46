package dev.domicile.micronaut;

import dev.domicile.router.Routing;
import dev.domicile.router.RoutingContext;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A test application's controller: writes and reads the caller's notes through the application's {@link DataSource}
 * and reports where the statement ran and what routing context the thread had.
 */
@Controller("/notes")
class NotesController {

    private final DataSource dataSource;

    NotesController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Post("/{text}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    Map<String, Object> add(String text) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "insert into notes(owner, text) values (?, ?) "
                             + "returning inet_server_port(), current_setting('domicile.epoch', true)")) {
            insert.setString(1, Routing.current().orElseThrow().userKey());
            insert.setString(2, text);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                Map<String, Object> report = report(rows.getInt(1), -1);
                report.put("epoch", rows.getString(2)); // the fencing epoch the write was stamped with, if any
                return report;
            }
        }
    }

    @Get("/blocking")
    @ExecuteOn(TaskExecutors.BLOCKING)
    Map<String, Object> listBlocking() throws SQLException {
        return count();
    }

    @Get("/loop")
    Map<String, Object> listOnEventLoop() throws SQLException {
        return count();
    }

    @Get("/strong")
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Consistency(level = dev.domicile.router.Consistency.Level.STRONG)
    Map<String, Object> listStrong() throws SQLException {
        return count();
    }

    @Post("/peek")
    @ExecuteOn(TaskExecutors.BLOCKING)
    @ReadOnly
    Map<String, Object> peek() throws SQLException {
        return count();
    }

    @Get("/bounded")
    @Consistency(level = dev.domicile.router.Consistency.Level.BOUNDED_STALENESS, maxStaleness = "3s")
    Map<String, Object> bounded() {
        return report(-1, -1);
    }

    private Map<String, Object> count() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select count(*), inet_server_port() from notes where owner = ?")) {
            select.setString(1, Routing.current().map(RoutingContext::userKey).orElse(""));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return report(rows.getInt(2), rows.getInt(1));
            }
        }
    }

    private static Map<String, Object> report(int port, int notes) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("port", port);
        report.put("notes", notes);
        report.put("thread", Thread.currentThread().getName());
        report.put("virtual", Thread.currentThread().isVirtual());
        RoutingContext context = Routing.current().orElse(null);
        report.put("user", context == null ? null : context.userKey());
        report.put("intent", context == null ? null : String.valueOf(context.intent()));
        report.put("consistency", context == null ? null : context.consistency().toString());
        return report;
    }
}
