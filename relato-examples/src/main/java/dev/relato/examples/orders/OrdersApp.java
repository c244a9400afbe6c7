package dev.relato.examples.orders;

import com.sun.net.httpserver.HttpServer;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.nats.NatsEventStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteEventStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Orders service: an HTTP JSON API over an event-sourced Order aggregate, on SQLite (default),
 * PostgreSQL or NATS JetStream.
 *
 * <pre>
 * java -jar relato-orders.jar [--store sqlite|postgres|nats|memory] [--url URL] [--schema NAME] [--stream NAME] [--port N]
 * </pre>
 *
 * <p>{@link #start(Settings)} opens the store, starts the projections and the HTTP server on 127.0.0.1, and
 * returns once the server listens; {@link #close()} stops the server, then the projections, then the
 * store. Thread-safe; {@code close} is idempotent.
 */
public final class OrdersApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersApp.class);
    private static final Duration READ_MODEL_WAIT = Duration.ofSeconds(5);
    private static final int HTTP_THREADS = 32;
    private static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
    private static final String JDBC_SQLITE = "jdbc:sqlite:";

    private final OrdersBackend backend;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OrdersApp(OrdersBackend backend, HttpServer server, ExecutorService executor) {
        this.backend = backend;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the service.
     *
     * @throws UncheckedIOException                 if the port cannot be bound
     * @throws IllegalArgumentException             if PostgreSQL is chosen without a URL
     * @throws dev.relato.StoreUnavailableException if the store cannot be opened
     */
    public static OrdersApp start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        EventSerializer serializer = OrdersService.serializer();
        OrdersBackend backend = openBackend(settings, serializer);
        ExecutorService executor = Executors.newFixedThreadPool(HTTP_THREADS, threads("orders-http-"));
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 0);
            server.createContext("/", new OrdersHttpApi(new OrdersService(backend, serializer, READ_MODEL_WAIT)));
            server.setExecutor(executor);
            server.start();
            OrdersApp app = new OrdersApp(backend, server, executor);
            LOG.debug("Orders service listening on {} (store: {})", app.url(), backend.description());
            return app;
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            backend.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot listen on port " + settings.port() + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The service's base URL, {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    /** Where the events are stored, for people: {@code sqlite at /abs/path}. */
    public String storeDescription() {
        return backend.description();
    }

    /** Stops accepting requests (waiting up to a second for those in progress), then closes the store. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(1);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        backend.close();
        LOG.info("Orders service stopped");
    }

    /**
     * Runs the service until the process is stopped (SIGTERM or Ctrl-C close it cleanly). Exits with code 2
     * and a usage message on bad arguments, 1 if it cannot start.
     */
    public static void main(String[] args) {
        Optional<Settings> parsed;
        try {
            parsed = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(Settings.USAGE);
            System.exit(2);
            return;
        }
        if (parsed.isEmpty()) {
            System.out.println(Settings.USAGE);
            return;
        }
        Settings settings = parsed.get();
        OrdersApp app;
        try {
            app = start(settings);
        } catch (RuntimeException e) {
            LOG.error("the Orders service could not start", e);
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "orders-shutdown"));
        System.out.println("Orders service listening on " + app.url() + " (store: " + app.storeDescription() + ")");
    }

    private static OrdersBackend openBackend(Settings settings, EventSerializer serializer) {
        return switch (settings.store()) {
            case MEMORY -> new InMemoryReadModelBackend("memory (lost at exit)", InMemoryEventStore.create(), serializer);
            case SQLITE -> {
                String location = settings.url().orElse("relato-orders.db");
                Path file = Path.of(location.startsWith(JDBC_SQLITE) ? location.substring(JDBC_SQLITE.length()) : location)
                        .toAbsolutePath().normalize();
                yield new SqliteBackend(SqliteEventStore.open(file), serializer);
            }
            case POSTGRES -> new PostgresBackend(settings.url().orElseThrow(
                    () -> new IllegalArgumentException(Settings.POSTGRES_URL_NEEDED)), settings.schema(), serializer);
            case NATS -> {
                String url = settings.url().orElse(DEFAULT_NATS_URL);
                NatsEventStore store = NatsEventStore.builder().url(url).streamName(settings.stream()).build();
                yield new InMemoryReadModelBackend("nats at " + url + ", stream " + settings.stream()
                                + " (read models in memory, rebuilt at start)", store, serializer);
            }
        };
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(false);
            return thread;
        };
    }

    /** Which event store the service runs on. */
    public enum Store {
        /** An SQLite file (default {@code ./relato-orders.db}). */
        SQLITE,
        /** PostgreSQL, from a JDBC URL. */
        POSTGRES,
        /** NATS JetStream, from a {@code nats://} URL. */
        NATS,
        /** In memory; everything is lost at exit. */
        MEMORY;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How to start the service. Immutable and thread-safe.
     *
     * @param store which event store
     * @param url   the SQLite file path, PostgreSQL JDBC URL or NATS URL; the store's default if empty
     * @param schema the PostgreSQL schema of the events and the order list
     * @param stream the NATS JetStream stream of the events
     * @param port  the TCP port on 127.0.0.1; 0 for any free port
     */
    public record Settings(Store store, Optional<String> url, String schema, String stream, int port) {
        static final String USAGE = """
                usage: java -jar relato-orders.jar [--store sqlite|postgres|nats|memory] [--url URL] [--schema NAME] [--stream NAME] [--port N]
                  --store  event store (default sqlite)
                  --url    sqlite: database file (default ./relato-orders.db)
                           postgres: JDBC URL, e.g. jdbc:postgresql://localhost:5432/orders?user=app&password=secret
                           nats: server URL (default nats://127.0.0.1:4222)
                  --schema postgres: schema of the events and the order list (default relato)
                  --stream nats: JetStream stream of the events (default relato-orders)
                  --port   HTTP port on 127.0.0.1 (default 8080; 0 picks a free port)""";

        static final String POSTGRES_URL_NEEDED = "--store postgres needs --url "
                + "jdbc:postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD";

        /** Default PostgreSQL schema. */
        public static final String DEFAULT_SCHEMA = "relato";
        /** Default NATS JetStream stream. */
        public static final String DEFAULT_STREAM = "relato-orders";

        /** The defaults for a store: its default location, port 0. */
        public static Settings of(Store store) {
            return new Settings(store, Optional.empty(), DEFAULT_SCHEMA, DEFAULT_STREAM, 0);
        }

        public Settings withUrl(String newUrl) {
            return new Settings(store, Optional.of(newUrl), schema, stream, port);
        }

        public Settings withSchema(String newSchema) {
            return new Settings(store, url, newSchema, stream, port);
        }

        public Settings withStream(String newStream) {
            return new Settings(store, url, schema, newStream, port);
        }

        /** @throws IllegalArgumentException if the port is not 0 to 65535 */
        public Settings {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(stream, "stream");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
            }
        }

        /**
         * Parses command-line arguments.
         *
         * @return the settings, or empty if help was asked for
         * @throws IllegalArgumentException naming the bad argument
         */
        static Optional<Settings> parse(String... args) {
            Store store = Store.SQLITE;
            Optional<String> url = Optional.empty();
            String schema = DEFAULT_SCHEMA;
            String stream = DEFAULT_STREAM;
            int port = 8080;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    return Optional.empty();
                }
                if (!List.of("--store", "--url", "--schema", "--stream", "--port").contains(flag)) {
                    throw new IllegalArgumentException("unknown argument '" + flag + "'");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--store" -> store = parseStore(value);
                    case "--url" -> url = Optional.of(value).filter(v -> !v.isBlank());
                    case "--schema" -> schema = value;
                    case "--stream" -> stream = value;
                    default -> port = parsePort(value);
                }
            }
            if (store == Store.POSTGRES && url.isEmpty()) {
                throw new IllegalArgumentException(POSTGRES_URL_NEEDED);
            }
            return Optional.of(new Settings(store, url, schema, stream, port));
        }

        private static Store parseStore(String value) {
            for (Store store : Store.values()) {
                if (store.label().equals(value)) {
                    return store;
                }
            }
            throw new IllegalArgumentException("unknown store '" + value + "'; use sqlite, postgres, nats or memory");
        }

        private static int parsePort(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + value + "'");
        }
    }
}
