package dev.relato.cli.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.nats.NatsEventStore;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.PostgresSchema;
import dev.relato.privacy.DataKeyStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * One store the command line and the console operate on, opened from a location: {@code sqlite:PATH},
 * {@code jdbc:postgresql://…} or {@code nats://…}. It holds the event store and its checkpoint and dead-letter
 * companions, and closes them together. Thread-safe as the stores are.
 */
public final class StoreTarget implements AutoCloseable {
    private final String kind;
    private final String description;
    private final EventStore store;
    private final CheckpointStore checkpoints;
    private final DeadLetterStore deadLetters;
    private final Supplier<DataKeyStore> dataKeys;
    private final Optional<PostgresSchema> schema;
    private final Optional<DataSource> dataSource;
    private final List<AutoCloseable> resources;

    private StoreTarget(String kind, String description, EventStore store, CheckpointStore checkpoints,
                        DeadLetterStore deadLetters, Supplier<DataKeyStore> dataKeys, Optional<PostgresSchema> schema,
                        Optional<DataSource> dataSource,
                        List<AutoCloseable> resources) {
        this.kind = kind;
        this.description = description;
        this.store = store;
        this.checkpoints = checkpoints;
        this.deadLetters = deadLetters;
        this.dataKeys = dataKeys;
        this.schema = schema;
        this.dataSource = dataSource;
        this.resources = resources;
    }

    /**
     * Opens the store at {@code location}.
     *
     * @param options schema, prefix and stream settings; those that do not apply to the location's kind are ignored
     * @throws UsageException          if the location is malformed or has an unknown scheme
     * @throws OperationException      if a SQLite file does not exist
     * @throws dev.relato.RelatoException if the store cannot be reached
     */
    public static StoreTarget open(String location, StoreOptions options) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(options, "options");
        Inputs.requireText(location, "store location", 4096);
        if (location.startsWith("sqlite:")) {
            return sqlite(location.substring("sqlite:".length()), options);
        }
        if (location.startsWith("jdbc:postgresql:")) {
            return postgres(location, options);
        }
        if (location.startsWith("nats://") || location.startsWith("tls://")) {
            return nats(location, options);
        }
        throw new UsageException("unknown store location '" + Inputs.preview(location)
                + "': use sqlite:PATH, jdbc:postgresql://HOST:PORT/DATABASE or nats://HOST:PORT");
    }

    /**
     * A store an application already has open, for a console mounted inside it. Closing the target leaves the store
     * and its companions open: they are the application's.
     *
     * @param kind        names the kind of store on the console's overview: {@code sqlite}, {@code postgres},
     *                    {@code nats} or {@code memory}
     * @param description where the store is, for people, with no secret in it
     * @param dataKeys    the store's data keys, asked for only when personal data is erased
     */
    public static StoreTarget of(String kind, String description, EventStore store, CheckpointStore checkpoints,
                                 DeadLetterStore deadLetters, Supplier<DataKeyStore> dataKeys) {
        return new StoreTarget(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(description, "description"),
                Objects.requireNonNull(store, "store"), Objects.requireNonNull(checkpoints, "checkpoints"),
                Objects.requireNonNull(deadLetters, "deadLetters"), Objects.requireNonNull(dataKeys, "dataKeys"),
                Optional.empty(), Optional.empty(), List.of());
    }

    private static StoreTarget sqlite(String file, StoreOptions options) {
        if (file.isEmpty()) {
            throw new UsageException("sqlite: needs a file path, as in sqlite:orders.db");
        }
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            throw new UsageException("invalid SQLite path '" + Inputs.preview(file) + "': " + e.getReason());
        }
        if (!Files.isRegularFile(path) && !options.create()) {
            throw new OperationException("no SQLite store at " + path + " (the file does not exist)");
        }
        SqliteEventStore.Builder builder = SqliteEventStore.builder().path(path);
        options.prefix().ifPresent(builder::tablePrefix);
        SqliteEventStore store = builder.build();
        return new StoreTarget("sqlite", "SQLite " + path.toAbsolutePath(), store, store.checkpoints(),
                new SqliteDeadLetterStore(store), store::dataKeys, Optional.empty(), Optional.empty(),
                List.of(store));
    }

    private static StoreTarget postgres(String url, StoreOptions options) {
        PostgresSchema schema = new PostgresSchema(options.schema().orElse(PostgresSchema.DEFAULT_NAME),
                options.prefix().orElse(""));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(5000);
        config.setInitializationFailTimeout(-1);
        config.setPoolName("relato-cli");
        HikariDataSource dataSource = new HikariDataSource(config);
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            PostgresEventStore store = PostgresEventStore.builder().dataSource(dataSource).schema(schema.name())
                    .tablePrefix(schema.tablePrefix()).build();
            resources.add(store);
            resources.add(dataSource);
            return new StoreTarget("postgres", "PostgreSQL " + redact(url) + " schema " + schema.name()
                    + (schema.tablePrefix().isEmpty() ? "" : " prefix " + schema.tablePrefix()), store,
                    store.checkpoints(), store.deadLetters(), store::dataKeys, Optional.of(schema),
                    Optional.of(dataSource), resources);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    private static StoreTarget nats(String url, StoreOptions options) {
        NatsEventStore.Builder builder = NatsEventStore.builder().url(url);
        options.streamName().ifPresent(builder::streamName);
        options.subjectPrefix().ifPresent(builder::subjectPrefix);
        NatsEventStore store = builder.build();
        try {
            return new StoreTarget("nats", "NATS " + redact(url) + " stream " + store.streamName(), store,
                    store.checkpoints(), store.deadLetters(), store::dataKeys, Optional.empty(), Optional.empty(),
                    List.of(store));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A location with any password in it replaced by {@code ***}. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//([^/@:]*):[^/@]*@", "//$1:***@");
    }

    /** {@code sqlite}, {@code postgres} or {@code nats}. */
    public String kind() {
        return kind;
    }

    /** Where the store is, with no secret in it. */
    public String description() {
        return description;
    }

    public EventStore store() {
        return store;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    /**
     * The store's data keys, for personal-data erasure; set up on first use (on NATS that creates the key bucket),
     * so commands that do not need them touch nothing.
     */
    public DataKeyStore dataKeys() {
        return dataKeys.get();
    }

    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    /** The PostgreSQL schema, for a PostgreSQL store. */
    public Optional<PostgresSchema> schema() {
        return schema;
    }

    /** The PostgreSQL connections, for a PostgreSQL store. */
    public Optional<DataSource> dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new OperationException("closing " + description + ": " + e.getMessage());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
