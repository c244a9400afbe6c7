package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.cli.console.ConsoleHandler;
import dev.relato.cli.ops.Operations;
import dev.relato.examples.fulfilment.FulfilmentService;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.nats.NatsEventStore;
import dev.relato.observe.RelatoObserver;
import dev.relato.opentelemetry.RelatoTracing;
import dev.relato.privacy.InMemoryDataKeyStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.process.InMemoryDeadlineStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.InMemoryDeadLetterStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteEventStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Orders service: an HTTP JSON API over an event-sourced Order aggregate, on SQLite (default),
 * PostgreSQL, NATS JetStream or in memory.
 *
 * <pre>
 * java -jar relato-orders.jar [--store sqlite|postgres|nats|memory] [--url URL] [--schema NAME] [--stream NAME]
 *                             [--host ADDRESS] [--port N] [--timeout SECONDS] [--payment-timeout DURATION]
 *                             [--key-file FILE]
 * </pre>
 *
 * <p>{@link #start(Settings)} opens the store, starts the projections, the fulfilment process
 * ({@link OrdersFulfilment}) and the HTTP server
 * ({@link OrdersHttpServer}), and returns once the server listens; {@link #close()} stops the server (letting
 * requests in progress finish), then the fulfilment process, then the projections, then the store. Thread-safe; {@code close} is idempotent.
 */
public final class OrdersApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersApp.class);
    private static final Duration READ_MODEL_WAIT = Duration.ofSeconds(5);
    private static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
    private static final String JDBC_SQLITE = "jdbc:sqlite:";

    private final OrdersBackend backend;
    private final OrdersFulfilment fulfilment;
    private final OrdersHttpServer server;
    private final OrdersHttpApi api;
    private final PrometheusMeterRegistry registry;
    /** The OpenTelemetry the service configured itself and closes, if any. */
    private volatile OpenTelemetry ownedTelemetry = OpenTelemetry.noop();
    private final AtomicBoolean closed = new AtomicBoolean();

    private OrdersApp(OrdersBackend backend, OrdersFulfilment fulfilment, OrdersHttpServer server, OrdersHttpApi api,
                      PrometheusMeterRegistry registry) {
        this.backend = backend;
        this.fulfilment = fulfilment;
        this.server = server;
        this.api = api;
        this.registry = registry;
    }

    /**
     * Starts the service.
     *
     * @throws UncheckedIOException                 if the address cannot be bound
     * @throws IllegalArgumentException             if PostgreSQL is chosen without a URL
     * @throws dev.relato.StoreUnavailableException if the store cannot be opened
     */
    public static OrdersApp start(Settings settings) {
        OpenTelemetry openTelemetry = OrdersTelemetry.fromEnvironment();
        try {
            OrdersApp app = start(settings, UnaryOperator.identity(), openTelemetry);
            app.ownedTelemetry = openTelemetry;
            return app;
        } catch (RuntimeException e) {
            OrdersTelemetry.close(openTelemetry);
            throw e;
        }
    }

    /** Starts the service with the commands' and queries' store wrapped by {@code storeView} (fault tests). */
    static OrdersApp start(Settings settings, UnaryOperator<EventStore> storeView) {
        return start(settings, storeView, OpenTelemetry.noop());
    }

    /**
     * Starts the service with its spans going to {@code openTelemetry} (left open: the caller closes it), and the
     * commands' and queries' store wrapped by {@code storeView}.
     */
    static OrdersApp start(Settings settings, UnaryOperator<EventStore> storeView, OpenTelemetry openTelemetry) {
        return start(settings, storeView, openTelemetry, Clock.systemUTC());
    }

    /** Starts the service with the fulfilment's deadlines timed by {@code clock} (tests move time). */
    static OrdersApp start(Settings settings, UnaryOperator<EventStore> storeView, OpenTelemetry openTelemetry,
                           Clock clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        EventSerializer serializer = FulfilmentService.SERIALIZER;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OrdersBackend backend;
        try {
            RelatoMetrics metrics = RelatoMetrics.of(registry);
            backend = openBackend(settings, serializer, metrics,
                    RelatoObserver.of(metrics, RelatoTracing.of(openTelemetry)));
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        OrdersFulfilment fulfilment = null;
        try {
            fulfilment = new OrdersFulfilment(backend.store(), backend.deadlines(), backend.checkpoints(),
                    settings.paymentTimeout(), clock);
            OrdersService service = new OrdersService(backend, storeView.apply(backend.store()), serializer,
                    READ_MODEL_WAIT);
            OrdersHttpApi api = new OrdersHttpApi(service, fulfilment, settings.timeout(), registry);
            OrdersHttpServer server = OrdersHttpServer.start(settings.host(), settings.port(), settings.timeout(), api,
                    openTelemetry, new ConsoleHandler(new Operations(backend.console()), false));
            OrdersApp app = new OrdersApp(backend, fulfilment, server, api, registry);
            LOG.info("Orders service listening on {} (store: {})", app.url(), backend.description());
            return app;
        } catch (RuntimeException e) {
            if (fulfilment != null) {
                fulfilment.close();
            }
            backend.close();
            registry.close();
            throw e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return server.port();
    }

    /** The service's base URL, such as {@code http://127.0.0.1:8080}. */
    public String url() {
        String host = server.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** Where the events are stored, for people: {@code sqlite at /abs/path}. */
    public String storeDescription() {
        return backend.description();
    }

    /** The store the service appends to, for tests that write events as an older version would have. */
    EventStore store() {
        return backend.store();
    }

    /** The asynchronous projections, for tests that wait for them. */
    List<ManagedProjection<?>> projections() {
        return backend.projections();
    }

    /** The HTTP routes, for tests that compare them with the OpenAPI description. */
    OrdersHttpApi api() {
        return api;
    }

    /** The fulfilment process, for tests that fire its deadlines after moving the clock. */
    OrdersFulfilment fulfilment() {
        return fulfilment;
    }

    /** The meters {@code GET /metrics} shows, for tests. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Stops the HTTP server (requests in progress may finish), then the fulfilment process, then the projections,
     * then the store.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } finally {
            try {
                fulfilment.close();
            } finally {
                try {
                    backend.close();
                } finally {
                    registry.close();
                    OrdersTelemetry.close(ownedTelemetry);
                }
            }
        }
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

    /** Opens the store with {@code observer} (metrics and spans) and the projections with {@code metrics}. */
    private static OrdersBackend openBackend(Settings settings, EventSerializer serializer, RelatoMetrics metrics,
                                             RelatoObserver observer) {
        UnaryOperator<String> environment = System::getenv;
        return switch (settings.store()) {
            case MEMORY -> {
                InMemoryDataKeyStore dataKeys = new InMemoryDataKeyStore();
                KeyEncryptionKey kek = OrdersKeys.keyEncryptionKey(settings, environment, Optional.empty());
                yield new InMemoryReadModelBackend("memory", "memory (lost at exit)",
                        InMemoryEventStore.builder().observer(observer).build(), new InMemoryDeadLetterStore(),
                        () -> dataKeys, kek, new InMemoryDeadlineStore(), new InMemoryCheckpointStore(), serializer,
                        metrics);
            }
            case SQLITE -> {
                String location = settings.url().orElse("relato-orders.db");
                Path file = Path.of(location.startsWith(JDBC_SQLITE) ? location.substring(JDBC_SQLITE.length()) : location)
                        .toAbsolutePath().normalize();
                KeyEncryptionKey kek = OrdersKeys.keyEncryptionKey(settings, environment, Optional.of(file));
                yield new SqliteBackend(SqliteEventStore.builder().path(file).observer(observer).build(), kek,
                        serializer, metrics);
            }
            case POSTGRES -> {
                KeyEncryptionKey kek = OrdersKeys.keyEncryptionKey(settings, environment, Optional.empty());
                yield new PostgresBackend(settings.url().orElseThrow(
                        () -> new IllegalArgumentException(Settings.POSTGRES_URL_NEEDED)), settings.schema(), kek,
                        serializer, metrics, observer);
            }
            case NATS -> {
                KeyEncryptionKey kek = OrdersKeys.keyEncryptionKey(settings, environment, Optional.empty());
                String url = settings.url().orElse(DEFAULT_NATS_URL);
                NatsEventStore store = NatsEventStore.builder().url(url).streamName(settings.stream()).observer(observer)
                        .build();
                yield new InMemoryReadModelBackend("nats", "nats at " + url + ", stream " + settings.stream()
                                + " (read models in memory, rebuilt at start)", store, deadLettersOf(store),
                        store::dataKeys, kek, store.deadlines(), store.checkpoints(), serializer, metrics);
            }
        };
    }

    /** The NATS store's dead-letter store, kept beside its events; closes the store if it cannot be set up. */
    private static DeadLetterStore deadLettersOf(NatsEventStore store) {
        try {
            return store.deadLetters();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
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
     * @param store   which event store
     * @param url     the SQLite file path, PostgreSQL JDBC URL or NATS URL; the store's default if empty
     * @param schema  the PostgreSQL schema of the events and the order list
     * @param stream  the NATS JetStream stream of the events
     * @param host    the address to listen on
     * @param port    the TCP port; 0 for any free port
     * @param timeout how long a connection may stay silent, and a request body may take to arrive
     * @param paymentTimeout how long a confirmed order may stay unpaid before it is cancelled and its stock released
     * @param keyFile a file holding the key-encryption key of the customers' personal data (base64 of 32 bytes);
     *                if empty, the key comes from the environment or, on SQLite and in memory, is generated (see
     *                {@link OrdersKeys})
     */
    public record Settings(Store store, Optional<String> url, String schema, String stream, String host, int port,
                           Duration timeout, Duration paymentTimeout, Optional<Path> keyFile) {
        static final String USAGE = """
                usage: java -jar relato-orders.jar [--store sqlite|postgres|nats|memory] [--url URL] [--schema NAME]
                                                   [--stream NAME] [--host ADDRESS] [--port N] [--timeout SECONDS]
                                                   [--payment-timeout DURATION] [--key-file FILE]
                  --store   event store (default sqlite)
                  --url     sqlite: database file (default ./relato-orders.db)
                            postgres: JDBC URL, e.g. jdbc:postgresql://localhost:5432/orders?user=app&password=secret
                            nats: server URL (default nats://127.0.0.1:4222)
                  --schema  postgres: schema of the events and the order list (default relato)
                  --stream  nats: JetStream stream of the events (default relato-orders)
                  --host    address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
                  --port    HTTP port (default 8080; 0 picks a free port)
                  --timeout seconds a connection may stay silent and a request body may take (default 30)
                  --payment-timeout  how long a confirmed order may stay unpaid before it is cancelled and its
                            stock released: 45s, 30m, 2h or ISO-8601 such as PT5M (default 30m)
                  --key-file  file holding the key-encryption key of the customers' personal data, base64 of 32
                            bytes (default: environment variable RELATO_ORDERS_KEK, or the file named by
                            RELATO_ORDERS_KEK_FILE; sqlite: a development key generated beside the database)""";

        static final String POSTGRES_URL_NEEDED = "--store postgres needs --url "
                + "jdbc:postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD";

        /** Default PostgreSQL schema. */
        public static final String DEFAULT_SCHEMA = "relato";
        /** Default NATS JetStream stream. */
        public static final String DEFAULT_STREAM = "relato-orders";
        /** Default address: this machine only. */
        public static final String DEFAULT_HOST = "127.0.0.1";
        /** Default silence and body timeout. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
        private static final long MAX_TIMEOUT_SECONDS = 3600;
        /** Default time a confirmed order may stay unpaid. */
        public static final Duration DEFAULT_PAYMENT_TIMEOUT = Duration.ofMinutes(30);

        /** The defaults for a store: its default location, 127.0.0.1, port 0, 30 s timeout. */
        public static Settings of(Store store) {
            return new Settings(store, Optional.empty(), DEFAULT_SCHEMA, DEFAULT_STREAM, DEFAULT_HOST, 0,
                    DEFAULT_TIMEOUT, DEFAULT_PAYMENT_TIMEOUT, Optional.empty());
        }

        public Settings withUrl(String newUrl) {
            return new Settings(store, Optional.of(newUrl), schema, stream, host, port, timeout, paymentTimeout, keyFile);
        }

        public Settings withSchema(String newSchema) {
            return new Settings(store, url, newSchema, stream, host, port, timeout, paymentTimeout, keyFile);
        }

        public Settings withStream(String newStream) {
            return new Settings(store, url, schema, newStream, host, port, timeout, paymentTimeout, keyFile);
        }

        public Settings withTimeout(Duration newTimeout) {
            return new Settings(store, url, schema, stream, host, port, newTimeout, paymentTimeout, keyFile);
        }

        public Settings withPaymentTimeout(Duration newPaymentTimeout) {
            return new Settings(store, url, schema, stream, host, port, timeout, newPaymentTimeout, keyFile);
        }

        public Settings withKeyFile(Path newKeyFile) {
            return new Settings(store, url, schema, stream, host, port, timeout, paymentTimeout,
                    Optional.of(newKeyFile));
        }

        /**
         * @throws IllegalArgumentException if the port is not 0 to 65535, the timeout not 1 s to 1 h, or the payment
         *                                  timeout not positive
         */
        public Settings {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(paymentTimeout, "paymentTimeout");
            Objects.requireNonNull(keyFile, "keyFile");
            if (paymentTimeout.isNegative() || paymentTimeout.isZero()) {
                throw new IllegalArgumentException("payment timeout must be positive, got " + paymentTimeout);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
            }
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.toSeconds() > MAX_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("timeout must be 1 to " + MAX_TIMEOUT_SECONDS + " seconds, got "
                        + timeout);
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
            String host = DEFAULT_HOST;
            int port = 8080;
            Duration timeout = DEFAULT_TIMEOUT;
            Duration paymentTimeout = DEFAULT_PAYMENT_TIMEOUT;
            Optional<Path> keyFile = Optional.empty();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    return Optional.empty();
                }
                if (!List.of("--store", "--url", "--schema", "--stream", "--host", "--port", "--timeout",
                        "--payment-timeout", "--key-file")
                        .contains(flag)) {
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
                    case "--host" -> host = parseHost(value);
                    case "--timeout" -> timeout = Duration.ofSeconds(parseNumber(value, "--timeout", 1,
                            MAX_TIMEOUT_SECONDS));
                    case "--payment-timeout" -> paymentTimeout = parseDuration(value, "--payment-timeout");
                    case "--key-file" -> keyFile = Optional.of(Path.of(value));
                    default -> port = (int) parseNumber(value, "--port", 0, 65535);
                }
            }
            if (store == Store.POSTGRES && url.isEmpty()) {
                throw new IllegalArgumentException(POSTGRES_URL_NEEDED);
            }
            return Optional.of(new Settings(store, url, schema, stream, host, port, timeout, paymentTimeout, keyFile));
        }

        /** A positive duration: a number with s, m or h ({@code 45s}, {@code 30m}), or ISO-8601 ({@code PT5M}). */
        static Duration parseDuration(String value, String flag) {
            Duration duration = null;
            try {
                if (value.matches("[0-9]{1,9}[smh]")) {
                    duration = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                } else if (value.regionMatches(true, 0, "P", 0, 1)) {
                    duration = Duration.parse(value);
                }
            } catch (DateTimeException e) {
                // reported below
            }
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(flag + " must be a positive duration such as 45s, 30m, 2h or PT5M,"
                        + " got '" + value + "'");
            }
            return duration;
        }

        private static Store parseStore(String value) {
            for (Store store : Store.values()) {
                if (store.label().equals(value)) {
                    return store;
                }
            }
            throw new IllegalArgumentException("unknown store '" + value + "'; use sqlite, postgres, nats or memory");
        }

        private static String parseHost(String value) {
            if (value.isBlank() || !value.chars().allMatch(c -> Character.isLetterOrDigit(c) || ".:-_%".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("--host must be a host name or IP address, got '" + value + "'");
            }
            return value;
        }

        private static long parseNumber(String value, String flag, long min, long max) {
            try {
                long number = Long.parseLong(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(flag + " must be a number from " + min + " to " + max + ", got '"
                    + value + "'");
        }
    }
}
