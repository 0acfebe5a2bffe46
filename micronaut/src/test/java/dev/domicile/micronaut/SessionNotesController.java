package dev.domicile.micronaut;

import dev.domicile.router.Routing;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.session.Session;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** A test controller with an injected {@link Session}: notes in the database, the last one's text in the session. */
@Controller("/session-notes")
class SessionNotesController {

    private final DataSource dataSource;

    SessionNotesController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Post("/{text}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    Map<String, Object> add(String text, Session session) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("insert into notes(owner, text) values (?, ?)")) {
            insert.setString(1, Routing.current().orElseThrow().userKey());
            insert.setString(2, text);
            insert.executeUpdate();
        }
        session.put("last", text);
        return Map.of("new", session.isNew());
    }

    @Get
    @ExecuteOn(TaskExecutors.BLOCKING)
    Map<String, Object> list(Session session) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select count(*) from notes where owner = ?")) {
            select.setString(1, Routing.current().orElseThrow().userKey());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("notes", rows.getInt(1));
                report.put("last", session.get("last", String.class).orElse(null));
                return report;
            }
        }
    }
}
