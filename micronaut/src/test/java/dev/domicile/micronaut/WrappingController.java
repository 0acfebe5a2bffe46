package dev.domicile.micronaut;

import dev.domicile.router.Routing;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A test application's controller that behaves like a data-access library with unchecked exceptions (jOOQ's or
 * Micronaut Data's {@code DataAccessException}): a failed statement leaves it as an {@link IllegalStateException}
 * whose cause is the {@link SQLException} (itself perhaps wrapping the router's refusal), and any other exception is
 * wrapped once more.
 */
@Controller("/wrapped")
class WrappingController {

    private final DataSource dataSource;

    WrappingController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Inserts a note for the caller; every failure leaves wrapped in an unchecked exception. */
    @Post("/{text}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    String add(String text) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("insert into notes(owner, text) values (?, ?)")) {
            insert.setString(1, Routing.current().orElseThrow().userKey());
            insert.setString(2, text);
            insert.executeUpdate();
            return "added";
        } catch (SQLException e) {
            throw new IllegalStateException("data access failed", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("library failure", e);
        }
    }

    /** Fails with a wrapped SQLException that is no refusal: an ordinary 500. */
    @Post("/broken")
    String broken() {
        throw new IllegalStateException("data access failed", new SQLException("syntax error", "42601"));
    }
}
