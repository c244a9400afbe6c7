package dev.relato.examples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: malformed percent-encoding, bytes
 * that are not a request, bodies that stop half way. Each request opens a connection of its own and asks for it to
 * be closed. Thread-safe.
 */
final class RawHttp {
    /** The largest answer read; a larger one fails the test. */
    static final int MAX_ANSWER = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** CR LF CR LF. */
    private static final int END_OF_HEAD = 0x0d0a0d0a;

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** Sends {@code head} (request line and headers, without the blank line), then {@code body}, and reads the answer. */
    Answer send(String head, byte[] body, Duration timeout) {
        byte[] start = (head + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] request = new byte[start.length + body.length];
        System.arraycopy(start, 0, request, 0, start.length);
        System.arraycopy(body, 0, request, start.length, body.length);
        return sendBytes(request, timeout);
    }

    /** Sends these exact bytes and reads the answer until the server closes the connection. */
    Answer sendBytes(byte[] request, Duration timeout) {
        try (Socket socket = open(timeout)) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("no answer to " + describe(request), e);
        }
    }

    /**
     * Opens {@code count} connections that each send a POST with headers announcing a 100-byte body, then only
     * the start of it, and stall. The caller closes them.
     */
    List<Socket> stall(int count, String path, Duration timeout) throws IOException {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = open(timeout);
                stalled.add(socket);
                socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"customer\":")
                        .getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            }
        } catch (IOException e) {
            for (Socket socket : stalled) {
                socket.close();
            }
            throw e;
        }
        return stalled;
    }

    /** A connection with a read timeout. */
    Socket open(Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        return socket;
    }

    /** Reads one answer: status line, headers, and the body by its length (or to the end of the stream). */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int window = 0;
        while (window != END_OF_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before a complete answer; got '"
                        + head.toString(StandardCharsets.ISO_8859_1) + "'");
            }
            head.write(b);
            window = (window << 8) | b;
            if (head.size() > 64 * 1024) {
                throw new IOException("answer headers over 64 KiB");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            int n = Integer.parseInt(length);
            if (n > MAX_ANSWER) {
                throw new IOException("answer of " + n + " bytes");
            }
            body = in.readNBytes(n);
        } else {
            body = in.readNBytes(MAX_ANSWER + 1);
        }
        if (body.length > MAX_ANSWER) {
            throw new IOException("answer over " + MAX_ANSWER + " bytes");
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String describe(byte[] request) {
        String text = new String(request, 0, Math.min(request.length, 80), StandardCharsets.ISO_8859_1);
        return "'" + text.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    /** An answer as read off the wire. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("answer is not JSON: " + body, e);
            }
        }
    }
}
