package dev.relato.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code relato.*} properties. Validated when bound: a wrong value fails start-up with a message that names the
 * property. Mutable while Spring binds it; read-only afterwards by convention.
 */
@ConfigurationProperties(prefix = "relato")
public class RelatoProperties implements Validator {
    /** The event store: memory, sqlite, postgres or nats. */
    private Store store = Store.SQLITE;
    /**
     * Create or upgrade the PostgreSQL store's tables on start. Turn off when Flyway or Liquibase runs the
     * migrations ({@code dev.relato.postgres.PostgresSchema#sql()} is their SQL). SQLite always keeps its file's
     * tables itself; NATS creates its stream and buckets when missing.
     */
    private boolean migrate = true;
    /**
     * Event classes to register: a sealed interface registers every record it permits (recursively), any other
     * class registers itself. Added to those of an {@code EventTypes} bean, if there is one.
     */
    private List<Class<?>> eventTypes = new ArrayList<>();
    /** The largest event payload a store accepts, in bytes (the store's default if unset). */
    private @Nullable Integer maxEventBytes;
    private final Sqlite sqlite = new Sqlite();
    private final Postgres postgres = new Postgres();
    private final Nats nats = new Nats();
    private final Projections projections = new Projections();

    /** The stores {@code relato.store} names. */
    public enum Store {
        /** {@link dev.relato.memory.InMemoryEventStore}: events are lost when the application stops. */
        MEMORY,
        /** {@code dev.relato.sqlite.SqliteEventStore}, one file ({@code relato.sqlite.path}). */
        SQLITE,
        /** {@code dev.relato.postgres.PostgresEventStore} on the application's {@code DataSource}. */
        POSTGRES,
        /** {@code dev.relato.nats.NatsEventStore} ({@code relato.nats.url}). */
        NATS
    }

    public Store getStore() {
        return store;
    }

    public void setStore(Store store) {
        this.store = store;
    }

    public boolean isMigrate() {
        return migrate;
    }

    public void setMigrate(boolean migrate) {
        this.migrate = migrate;
    }

    public List<Class<?>> getEventTypes() {
        return eventTypes;
    }

    public void setEventTypes(List<Class<?>> eventTypes) {
        this.eventTypes = eventTypes;
    }

    public @Nullable Integer getMaxEventBytes() {
        return maxEventBytes;
    }

    public void setMaxEventBytes(@Nullable Integer maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    public Sqlite getSqlite() {
        return sqlite;
    }

    public Postgres getPostgres() {
        return postgres;
    }

    public Nats getNats() {
        return nats;
    }

    public Projections getProjections() {
        return projections;
    }

    @Override
    public boolean supports(Class<?> type) {
        return RelatoProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        RelatoProperties p = (RelatoProperties) target;
        if (p.maxEventBytes != null && p.maxEventBytes <= 0) {
            errors.rejectValue("maxEventBytes", "positive", "must be a positive number of bytes");
        }
        if (p.sqlite.path.toString().isBlank()) {
            errors.rejectValue("sqlite.path", "blank", "must name the SQLite file");
        }
        if (p.sqlite.readConnections < 1) {
            errors.rejectValue("sqlite.readConnections", "positive", "must be at least 1");
        }
        positive(errors, "sqlite.busyTimeout", p.sqlite.busyTimeout);
        if (p.nats.replicas < 1 || p.nats.replicas > 5) {
            errors.rejectValue("nats.replicas", "range", "must be 1 to 5");
        }
        positive(errors, "nats.requestTimeout", p.nats.requestTimeout);
        if (p.projections.batchSize < 1) {
            errors.rejectValue("projections.batchSize", "positive", "must be at least 1");
        }
        positive(errors, "projections.shutdownTimeout", p.projections.shutdownTimeout);
        positive(errors, "projections.pollInterval", p.projections.pollInterval);
        if (p.store == Store.NATS && p.nats.url.isBlank()) {
            errors.rejectValue("nats.url", "blank", "must be a nats:// URL when relato.store=nats");
        }
    }

    private static void positive(Errors errors, String field, Duration value) {
        if (value.isNegative() || value.isZero()) {
            errors.rejectValue(field, "positive", "must be longer than zero");
        }
    }

    /** {@code relato.sqlite.*}. */
    public static class Sqlite {
        /** The SQLite file, created if missing. */
        private Path path = Path.of("relato.db");
        /** Prefix of the store's table names. */
        private String tablePrefix = "relato_";
        /** How long a writer waits for another process's lock. */
        private Duration busyTimeout = Duration.ofSeconds(30);
        /** Connections for reads beside the writer's. */
        private int readConnections = 4;

        public Path getPath() {
            return path;
        }

        public void setPath(Path path) {
            this.path = path;
        }

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        public Duration getBusyTimeout() {
            return busyTimeout;
        }

        public void setBusyTimeout(Duration busyTimeout) {
            this.busyTimeout = busyTimeout;
        }

        public int getReadConnections() {
            return readConnections;
        }

        public void setReadConnections(int readConnections) {
            this.readConnections = readConnections;
        }
    }

    /** {@code relato.postgres.*}; the connection is the application's {@code DataSource}. */
    public static class Postgres {
        /** The schema of the store's tables. */
        private String schema = "relato";
        /** Prefix of the store's table names. */
        private String tablePrefix = "";

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }
    }

    /** {@code relato.nats.*}. */
    public static class Nats {
        /** The server, or servers separated by commas. */
        private String url = "nats://127.0.0.1:4222";
        /** The JetStream stream of the events. */
        private String streamName = "relato";
        /** Prefix of the events' subjects (the store's default, from the stream name, if unset). */
        private @Nullable String subjectPrefix;
        /** Replicas of the stream and the key-value buckets (1 to 5). */
        private int replicas = 1;
        /** Deadline of one request to the server. */
        private Duration requestTimeout = Duration.ofSeconds(5);

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getStreamName() {
            return streamName;
        }

        public void setStreamName(String streamName) {
            this.streamName = streamName;
        }

        public @Nullable String getSubjectPrefix() {
            return subjectPrefix;
        }

        public void setSubjectPrefix(@Nullable String subjectPrefix) {
            this.subjectPrefix = subjectPrefix;
        }

        public int getReplicas() {
            return replicas;
        }

        public void setReplicas(int replicas) {
            this.replicas = replicas;
        }

        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }
    }

    /** {@code relato.projections.*}. */
    public static class Projections {
        /** Run the projection beans; off: none runs in this application (another node runs them). */
        private boolean enabled = true;
        /** Events handled per transaction. */
        private int batchSize = 100;
        /** How often a runner looks for new events when the store does not wake it. */
        private Duration pollInterval = Duration.ofMillis(200);
        /** How long stopping waits for the batch in flight before interrupting it. */
        private Duration shutdownTimeout = Duration.ofSeconds(10);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }
    }
}
