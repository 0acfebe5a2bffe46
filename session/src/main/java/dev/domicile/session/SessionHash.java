package dev.domicile.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The explicit codec between a {@link Session} and its Redis hash (layout in {@link Scripts}). Everything is a UTF-8
 * string; unknown fields are ignored, so nothing in Redis can make this process instantiate a class.
 */
final class SessionHash {

    static final String CREATED = "_c";
    static final String ACCESSED = "_a";
    static final String USER = "_u";
    static final String PARTITION = "_p";
    static final String AUTHENTICATED = "_t";
    static final String MOVED = "_m";
    static final String REVOKED = "_r";
    static final String FROZEN_FOR = "_f";
    static final String FROZEN_UNTIL = "_fu";
    static final String ATTRIBUTE = "a:";
    static final String TOKEN = "t:";

    private SessionHash() {
    }

    /** Epoch milliseconds as an instant. */
    static Instant instant(String millis) {
        return Instant.ofEpochMilli(Long.parseLong(millis));
    }

    /** The fields of a script reply {@code {'ok', field, value, ...}} as a map. */
    static Map<String, String> fields(List<Object> reply) {
        Map<String, String> fields = new HashMap<>(reply.size());
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            fields.put((String) reply.get(i), (String) reply.get(i + 1));
        }
        return fields;
    }

    /** Decodes a session; {@code accessedAt} overrides the stored access time when the load recorded an access. */
    static Session decode(SessionId id, Map<String, String> fields, Instant accessedAt, boolean readOnly,
                          AttributeLimits limits) {
        Map<String, String> attributes = new HashMap<>();
        Map<String, String> tokens = new HashMap<>();
        fields.forEach((name, value) -> {
            if (name.startsWith(ATTRIBUTE)) {
                attributes.put(name.substring(ATTRIBUTE.length()), value);
            } else if (name.startsWith(TOKEN)) {
                tokens.put(name.substring(TOKEN.length()), value);
            }
        });
        Instant accessed = accessedAt != null ? accessedAt : instant(fields.get(ACCESSED));
        return new Session(id, fields.get(USER), fields.get(PARTITION), attributes, new CausalTokens(tokens),
                instant(fields.get(CREATED)), accessed, readOnly, limits);
    }

    /** The field/value pairs of a whole session, as {@code CREATE} takes them (without {@code _t} and freezes). */
    static List<String> encode(Map<String, String> fields) {
        List<String> pairs = new ArrayList<>(fields.size() * 2);
        fields.forEach((name, value) -> {
            if (!name.equals(AUTHENTICATED) && !name.equals(FROZEN_FOR) && !name.equals(FROZEN_UNTIL)) {
                pairs.add(name);
                pairs.add(value);
            }
        });
        return pairs;
    }

    /** The {@code SAVE} arguments after the common four: count of pairs, the pairs, then fields to delete. */
    static List<String> saveArguments(SessionEdit edit) {
        List<String> args = new ArrayList<>(2 + 2 * (edit.puts().size() + edit.tokens().size())
                + edit.removals().size());
        args.add(Integer.toString(edit.puts().size() + edit.tokens().size()));
        edit.puts().forEach((name, value) -> {
            args.add(ATTRIBUTE + name);
            args.add(value);
        });
        edit.tokens().forEach((partition, position) -> {
            args.add(TOKEN + partition);
            args.add(position);
        });
        edit.removals().forEach(name -> args.add(ATTRIBUTE + name));
        return args;
    }

    static String millis(Instant instant) {
        return Long.toString(instant.toEpochMilli());
    }
}
