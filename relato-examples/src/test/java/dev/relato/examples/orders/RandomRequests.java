package dev.relato.examples.orders;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Random HTTP requests for the Orders API, from a seeded {@link Random}: real and made-up paths with random
 * segments and percent-encodings (malformed ones too), random query parameters, random JSON bodies (values of
 * every type in the known fields, numbers with extreme exponents and scales, strings with lone surrogates and
 * control characters, nesting), random bytes as bodies and as whole requests, and random idempotency keys. The
 * seed comes from the system property {@code orders.fuzz.seed} if set, else from the clock, and is logged, so a
 * failing run can be repeated. Not thread-safe.
 */
final class RandomRequests {
    /** Requests per run. */
    static final int COUNT = 300;
    private static final Logger LOG = LoggerFactory.getLogger(RandomRequests.class);
    private static final List<String> METHODS = List.of("GET", "GET", "POST", "POST", "POST", "DELETE", "HEAD", "PUT",
            "PATCH", "OPTIONS");
    private static final List<String> TEMPLATES = List.of("/orders", "/orders/{id}", "/orders/{id}/events",
            "/orders/{id}/lines", "/orders/{id}/lines/{line}", "/orders/{id}/confirm", "/orders/{id}/ship",
            "/orders/{id}/cancel", "/customers/{text}", "/projections", "/projections/{text}", "/health",
            "/openapi.json", "/{text}", "/orders/{id}/{text}", "/");
    private static final List<String> FIELDS = List.of("customer", "sku", "quantity", "unitPrice", "reason", "x");
    private static final List<String> QUERY = List.of("customer", "status", "limit", "after", "version", "at");
    private static final List<String> NUMBERS = List.of("1e999999999", "-1e999999999", "0E-10000", "1e-400", "0e0",
            "12.5000000000000000000000000000000000000000000000000000000000000000", "-0", "2147483648", "-2147483649",
            "9223372036854775808", "0.1", "1", "3", "999999999999.9999", "1E+12", "4.2e1");

    private final Random random;
    private final String orderId;
    private final String lineId;

    RandomRequests(long seed, String orderId, String lineId) {
        this.random = new Random(seed);
        this.orderId = orderId;
        this.lineId = lineId;
    }

    /** The seed of this run: {@code orders.fuzz.seed}, or the clock's; logged either way. */
    static long seed() {
        long seed = Long.getLong("orders.fuzz.seed", System.nanoTime());
        LOG.info("random requests with seed {} (repeat with -Dorders.fuzz.seed={})", seed, seed);
        return seed;
    }

    /** The next request, complete: request line, headers, blank line, body. */
    byte[] next() {
        if (random.nextInt(20) == 0) {
            byte[] garbage = randomBytes(1 + random.nextInt(200));
            for (int i = 0; i < garbage.length; i++) {
                if (garbage[i] == '\r' || garbage[i] == '\n' || garbage[i] == ':') {
                    garbage[i] = 'x';
                }
            }
            return concat(garbage, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        String method = pick(METHODS);
        StringBuilder head = new StringBuilder(method).append(' ').append(path()).append(query()).append(" HTTP/1.1\r\n");
        head.append("Host: 127.0.0.1\r\nConnection: close\r\n");
        if (random.nextInt(4) == 0) {
            head.append(OrdersHttpApi.IDEMPOTENCY_KEY).append(": ").append(random.nextBoolean()
                    ? UUID.randomUUID().toString() : printable(1 + random.nextInt(300))).append("\r\n");
        }
        if (random.nextInt(6) == 0) {
            head.append(OrdersHttpApi.REQUEST_ID).append(": ").append(printable(1 + random.nextInt(150))).append("\r\n");
        }
        byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0] : body();
        if (body.length > 0 || random.nextBoolean()) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        return concat(head.toString().getBytes(StandardCharsets.UTF_8), body);
    }

    /** Whether the request is a HEAD (its answer has no body). */
    boolean isHead(byte[] request) {
        return new String(request, 0, Math.min(5, request.length), StandardCharsets.US_ASCII).equals("HEAD ");
    }

    /** The request's first line, printable, for assertion messages. */
    String describe(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n");
        String first = end < 0 ? text : text.substring(0, end);
        return first.substring(0, Math.min(first.length(), 300)).replaceAll("[^\\x20-\\x7e]", "?");
    }

    private String path() {
        String template = pick(TEMPLATES);
        String path = template.replace("{id}", random.nextInt(3) > 0 ? orderId : segment())
                .replace("{line}", random.nextBoolean() ? lineId : segment())
                .replace("{text}", segment());
        if (random.nextInt(15) == 0) {
            path = random.nextBoolean() ? "/" + path : path + "/";
        }
        return path;
    }

    /** A path segment: plain, percent-encoded random bytes, malformed encoding, or very long. */
    private String segment() {
        return switch (random.nextInt(6)) {
            case 0 -> UUID.randomUUID().toString();
            case 1 -> percentEncoded(randomBytes(1 + random.nextInt(30)));
            case 2 -> "%" + printable(random.nextInt(3)).replace(" ", "").replace("/", "");
            case 3 -> "x".repeat(1 + random.nextInt(random.nextBoolean() ? 300 : 9000));
            case 4 -> "..";
            default -> printable(1 + random.nextInt(20)).replaceAll("[ /?#%\"<>\\\\^`{|}\\[\\]]", "-");
        };
    }

    private String query() {
        if (random.nextInt(3) == 0) {
            return "";
        }
        StringBuilder query = new StringBuilder("?");
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                query.append('&');
            }
            query.append(pick(QUERY)).append('=').append(switch (random.nextInt(7)) {
                case 0 -> String.valueOf(random.nextInt(3000) - 5);
                case 1 -> pick(List.of("open", "confirmed", "shipped", "cancelled", "new", "lost"));
                case 2 -> "2026-01-01T00:00:00Z";
                case 3 -> percentEncoded(randomBytes(1 + random.nextInt(20)));
                case 4 -> "%" + (random.nextBoolean() ? "zz" : "");
                case 5 -> pick(NUMBERS);
                default -> printable(1 + random.nextInt(20)).replaceAll("[ &#%+]", "_");
            });
        }
        return query.toString();
    }

    private byte[] body() {
        return switch (random.nextInt(8)) {
            case 0 -> new byte[0];
            case 1 -> randomBytes(1 + random.nextInt(500));
            case 2 -> jsonValue(0).getBytes(StandardCharsets.UTF_8);
            case 3 -> ("{\"customer\":\"" + "y".repeat(OrdersHttpApi.MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
            default -> jsonObject(0).getBytes(StandardCharsets.UTF_8);
        };
    }

    private String jsonObject(int depth) {
        StringBuilder out = new StringBuilder("{");
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('"').append(pick(FIELDS)).append("\":").append(jsonValue(depth + 1));
        }
        return out.append('}').toString();
    }

    private String jsonValue(int depth) {
        int kind = random.nextInt(depth > 40 ? 5 : 8);
        return switch (kind) {
            case 0 -> pick(NUMBERS);
            case 1 -> jsonString();
            case 2 -> pick(List.of("true", "false", "null"));
            case 3 -> String.valueOf(random.nextInt(2_000_000) - 1000);
            case 4 -> randomNumber();
            case 5 -> jsonObject(depth + 1);
            case 6 -> "[" + jsonValue(depth + 1) + "," + jsonValue(depth + 1) + "]";
            default -> "[".repeat(1 + random.nextInt(60)) + "]".repeat(1 + random.nextInt(60));
        };
    }

    /** A number with a random mantissa and an extreme exponent or scale. */
    private String randomNumber() {
        StringBuilder number = new StringBuilder(random.nextBoolean() ? "" : "-");
        number.append(random.nextInt(100));
        if (random.nextBoolean()) {
            number.append('.').append("0".repeat(random.nextInt(120))).append(random.nextInt(10));
        }
        if (random.nextBoolean()) {
            number.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "+")
                    .append(random.nextInt(random.nextBoolean() ? 20 : Integer.MAX_VALUE));
        }
        return number.toString();
    }

    /** A JSON string with printable text, escapes, lone surrogates, control characters and other scripts. */
    private String jsonString() {
        StringBuilder out = new StringBuilder("\"");
        int length = random.nextInt(random.nextInt(10) == 0 ? 12_000 : 40);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(10)) {
                case 0 -> out.append(String.format("\\u%04x", 0xd800 + random.nextInt(0x800)));
                case 1 -> out.append(String.format("\\u%04x", random.nextInt(0x20)));
                case 2 -> out.append("\\n");
                case 3 -> out.appendCodePoint(0x4e00 + random.nextInt(100));
                case 4 -> out.appendCodePoint(0x1f600 + random.nextInt(50));
                default -> out.append((char) ('a' + random.nextInt(26)));
            }
        }
        return out.append('"').toString();
    }

    private String percentEncoded(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    private String printable(int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
        }
        return out.toString();
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static byte[] concat(byte[] first, byte[] second) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + second.length);
        out.write(first, 0, first.length);
        out.write(second, 0, second.length);
        return out.toByteArray();
    }
}
