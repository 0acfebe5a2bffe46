package dev.domicile.sample.app;

import dev.domicile.router.Routing;
import dev.domicile.router.RoutingContext;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.session.Session;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The service: each user's notes. {@code POST /notes} (a write) stores the request body as a note of the caller and
 * runs on the primary of the caller's home partition; {@code GET /notes} (a read) lists the caller's notes from a
 * replica in this region that has the caller's writes (per {@code X-Domicile-Tokens}), else from a copy nearer home.
 * Both go through the application's {@link DataSource}, Domicile's routing data source; the caller is the user key
 * the Domicile filter bound, which also rejects requests without one.
 *
 * <p>A write takes the caller's session (in the Redis of the caller's home region, created on first use) and counts
 * the caller's notes in it ({@code notes-written}); the Domicile session store keeps the caller's read-your-writes
 * tokens in it too, so a client that only keeps the {@code SESSION} cookie still reads its own writes.
 */
@Controller("/notes")
final class NotesController {

    /** The longest note accepted, in characters. */
    static final int MAX_TEXT = 1000;

    /** The session attribute counting the notes the caller wrote in this session. */
    static final String WRITTEN = "notes-written";

    private final DataSource dataSource;

    NotesController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores {@code text} as a note of the caller.
     *
     * @throws HttpStatusException 400 if the text is empty or longer than {@value #MAX_TEXT} characters
     */
    @Post(consumes = MediaType.TEXT_PLAIN)
    @Status(HttpStatus.CREATED)
    @ExecuteOn(TaskExecutors.BLOCKING)
    Note add(@Body String text, Session session) throws SQLException {
        if (text == null || text.isBlank() || text.length() > MAX_TEXT) {
            throw new HttpStatusException(HttpStatus.BAD_REQUEST,
                    "a note is 1 to " + MAX_TEXT + " characters of text/plain, not blank");
        }
        String owner = caller();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "insert into notes (owner, text) values (?, ?) returning id")) {
            insert.setString(1, owner);
            insert.setString(2, text);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                session.put(WRITTEN, session.get(WRITTEN, Long.class).orElse(0L) + 1);
                return new Note(rows.getLong(1), owner, text);
            }
        }
    }

    /** The caller's notes, oldest first. */
    @Get(produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    List<Note> list() throws SQLException {
        String owner = caller();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select id, text from notes where owner = ? order by id")) {
            select.setString(1, owner);
            List<Note> notes = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    notes.add(new Note(rows.getLong(1), owner, rows.getString(2)));
                }
            }
            return notes;
        }
    }

    private static String caller() {
        return Routing.current().map(RoutingContext::userKey).orElseThrow(() -> new HttpStatusException(
                HttpStatus.BAD_REQUEST, "no routing context: the request needs an X-Domicile-User header"));
    }
}
