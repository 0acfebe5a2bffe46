package dev.domicile.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-command Redis client for the testkit's own checks (readiness, Sentinel state): one connection per call.
 * Replies are Strings (simple and bulk strings, integers as text), lists (arrays) or null; an error reply is thrown.
 */
final class RedisWire {

    private RedisWire() {
    }

    static Object call(RedisNode node, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.host(), node.port()), 1_000);
            socket.setSoTimeout(5_000);
            StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** The fields of {@code INFO <section>} as a map. */
    static Map<String, String> info(RedisNode node, String section) throws IOException {
        return fields((String) call(node, "INFO", section));
    }

    /** The {@code name:value} lines of an {@code INFO} or {@code CLUSTER INFO} reply as a map. */
    static Map<String, String> fields(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    /** A flat key/value reply (as in {@code SENTINEL REPLICAS}) as a map. */
    static Map<String, String> pairs(Object reply) {
        Map<String, String> map = new LinkedHashMap<>();
        List<?> list = (List<?>) reply;
        for (int i = 0; i + 1 < list.size(); i += 2) {
            map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
        }
        return map;
    }

    private static Object read(InputStream in) throws IOException {
        String line = readLine(in);
        char type = line.charAt(0);
        String rest = line.substring(1);
        return switch (type) {
            case '+', ':' -> rest;
            case '-' -> throw new IOException("Redis error: " + rest);
            case '$' -> {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    yield null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                yield new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(rest);
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                yield items;
            }
            default -> throw new IOException("unexpected Redis reply: " + line);
        };
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\r') {
            line.append((char) c);
        }
        if (c < 0) {
            throw new IOException("connection closed by Redis");
        }
        in.read();
        return line.toString();
    }
}
