package dev.domicile.router.jooq;

import dev.domicile.router.Intent;
import java.util.Locale;
import java.util.Set;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteType;
import org.jooq.ResultQuery;

/**
 * Decides whether a jOOQ statement only reads. A statement is a read when jOOQ executes it as a
 * {@link ExecuteType#READ} {@link ResultQuery} and its rendered SQL, outside literals, quoted identifiers and comments,
 * starts with {@code SELECT}, {@code WITH} or {@code VALUES} and contains no word that writes or locks:
 * {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, {@code INTO} ({@code SELECT ... INTO} creates a
 * table), {@code NEXTVAL}, {@code SETVAL}, nor a {@code FOR SHARE} / {@code FOR KEY SHARE} / {@code FOR NO KEY UPDATE}
 * locking clause. Everything else, DML, DDL, batches, routines and unrecognised SQL, is a write.
 *
 * <p>The rule errs towards the primary: a word like {@code update} left unquoted in plain SQL sends a read there,
 * which costs a little load and never correctness. A function with side effects called from a {@code SELECT} is not
 * seen; such a statement must run in a transaction or under a declared {@link Intent#WRITE}. Stateless and
 * thread-safe.
 */
final class StatementIntent {

    private static final Set<String> READ_STARTS = Set.of("select", "with", "values");
    private static final Set<String> WRITE_WORDS = Set.of("insert", "update", "delete", "merge", "into", "nextval",
            "setval");
    private static final Set<String> LOCK_MODES = Set.of("update", "share", "key", "no");

    private StatementIntent() {
    }

    /** The intent of the statement {@code ctx} is about to prepare: READ only for a plain, non-locking query. */
    static Intent of(ExecuteContext ctx) {
        if (ctx.type() != ExecuteType.READ || !(ctx.query() instanceof ResultQuery) || ctx.sql() == null) {
            return Intent.WRITE;
        }
        return readsOnly(ctx.sql()) ? Intent.READ : Intent.WRITE;
    }

    /** Whether {@code sql} is a query that neither writes nor locks rows, by the rule of the class comment. */
    static boolean readsOnly(String sql) {
        SqlWords words = new SqlWords(sql);
        String first = words.next();
        if (first == null || !READ_STARTS.contains(first)) {
            return false;
        }
        String previous = first;
        for (String word = words.next(); word != null; word = words.next()) {
            if (WRITE_WORDS.contains(word) || ("for".equals(previous) && LOCK_MODES.contains(word))) {
                return false;
            }
            previous = word;
        }
        return true;
    }

    /**
     * The bare words of a PostgreSQL statement, lower-cased, skipping string literals (also {@code E'...'} and
     * dollar-quoted), quoted identifiers, comments, numbers and punctuation.
     */
    private static final class SqlWords {

        private final String sql;
        private int pos;

        SqlWords(String sql) {
            this.sql = sql;
        }

        /** The next word, or null at the end. */
        String next() {
            int length = sql.length();
            while (pos < length) {
                char c = sql.charAt(pos);
                if (c == '\'') {
                    skipString(pos > 0 && (sql.charAt(pos - 1) == 'e' || sql.charAt(pos - 1) == 'E')
                            && (pos < 2 || !isWordPart(sql.charAt(pos - 2))));
                } else if (c == '"') {
                    skipQuoted('"');
                } else if (c == '-' && sql.startsWith("--", pos)) {
                    int end = sql.indexOf('\n', pos);
                    pos = end < 0 ? length : end + 1;
                } else if (c == '/' && sql.startsWith("/*", pos)) {
                    skipBlockComment();
                } else if (c == '$' && skipDollarQuoted()) {
                    continue;
                } else if (Character.isLetter(c) || c == '_') {
                    int start = pos;
                    while (pos < length && isWordPart(sql.charAt(pos))) {
                        pos++;
                    }
                    return sql.substring(start, pos).toLowerCase(Locale.ROOT);
                } else if (Character.isDigit(c)) {
                    while (pos < length && isWordPart(sql.charAt(pos))) {
                        pos++;
                    }
                } else {
                    pos++;
                }
            }
            return null;
        }

        private static boolean isWordPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }

        private void skipString(boolean backslashEscapes) {
            pos++;
            while (pos < sql.length()) {
                char c = sql.charAt(pos++);
                if (backslashEscapes && c == '\\') {
                    pos++;
                } else if (c == '\'') {
                    if (pos < sql.length() && sql.charAt(pos) == '\'') {
                        pos++;
                    } else {
                        return;
                    }
                }
            }
        }

        private void skipQuoted(char quote) {
            pos++;
            while (pos < sql.length()) {
                if (sql.charAt(pos++) == quote) {
                    if (pos < sql.length() && sql.charAt(pos) == quote) {
                        pos++;
                    } else {
                        return;
                    }
                }
            }
        }

        /** Block comments nest in PostgreSQL. */
        private void skipBlockComment() {
            int depth = 0;
            while (pos < sql.length()) {
                if (sql.startsWith("/*", pos)) {
                    depth++;
                    pos += 2;
                } else if (sql.startsWith("*/", pos)) {
                    depth--;
                    pos += 2;
                    if (depth == 0) {
                        return;
                    }
                } else {
                    pos++;
                }
            }
        }

        /** Skips {@code $tag$...$tag$} and returns true, or returns false if no dollar quote starts here. */
        private boolean skipDollarQuoted() {
            int tagEnd = pos + 1;
            while (tagEnd < sql.length() && sql.charAt(tagEnd) != '$') {
                char c = sql.charAt(tagEnd);
                boolean valid = tagEnd == pos + 1 ? Character.isLetter(c) || c == '_' : isWordPart(c);
                if (!valid) {
                    return false;
                }
                tagEnd++;
            }
            if (tagEnd >= sql.length()) {
                return false;
            }
            String tag = sql.substring(pos, tagEnd + 1);
            int close = sql.indexOf(tag, tagEnd + 1);
            pos = close < 0 ? sql.length() : close + tag.length();
            return true;
        }
    }
}
