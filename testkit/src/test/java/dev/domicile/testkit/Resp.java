package dev.domicile.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal Redis client for tests of the testkit itself (the library uses Redisson). */
final class Resp {

    private Resp() {
    }

    /** Sends one command and returns the reply's first line, without the type byte ("OK", "PONG", a bulk value). */
    static String call(String host, int port, String... args) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            return call(socket, args);
        }
    }

    /** As {@link #call(String, int, String...)} on a connected socket (e.g. a TLS one), which stays open. */
    static String call(Socket socket, String... args) throws IOException {
        socket.setSoTimeout(5_000);
        StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(arg).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(command.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        String first = readLine(in);
        if (first.startsWith("$")) {
            return first.equals("$-1") ? null : readLine(in);
        }
        return first.substring(1);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\r') {
            line.append((char) c);
        }
        in.read(); // '\n'
        return line.toString();
    }
}
