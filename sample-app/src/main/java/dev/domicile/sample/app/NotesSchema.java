package dev.domicile.sample.app;

import io.micronaut.context.annotation.Context;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Creates the notes table, if missing, when the service starts. It runs without a routing context, so the routing
 * data source sends it to the primary of {@code domicile.router.default-partition}, which each region sets to its
 * home partition; the table reaches the replicas by streaming replication.
 */
@Context
final class NotesSchema {

    static final String DDL = """
            create table if not exists notes (
                id bigserial primary key,
                owner text not null,
                text text not null,
                created_at timestamptz not null default now());
            create index if not exists notes_owner on notes (owner, id)""";

    /** @throws IllegalStateException if the home primary cannot be reached or refuses the DDL */
    NotesSchema(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(DDL);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the notes table on this region's home primary (is"
                    + " domicile.router.default-partition set?): " + e.getMessage(), e);
        }
    }
}
