package dev.domicile.sample.app;

import java.util.Objects;

/**
 * One note as the service stores and returns it.
 *
 * @param id    its id, unique within its owner's home partition
 * @param owner the user key of the user who wrote it
 * @param text  what the user wrote
 */
public record Note(long id, String owner, String text) {

    public Note {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(text, "text");
    }
}
