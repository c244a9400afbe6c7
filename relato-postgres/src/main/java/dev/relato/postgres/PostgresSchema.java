package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.RelatoException;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Relato's tables live in a PostgreSQL database: a schema name and a table prefix, and the versioned
 * migrations that create them. Immutable and thread-safe.
 *
 * <p>The migrations ship in the jar ({@code dev/relato/postgres/migrations/V1__events.sql}, …) with the
 * placeholders {@code ${schema}} and {@code ${prefix}}. {@link #migrate(DataSource)} applies the missing ones
 * in one transaction, records them in {@code <schema>.<prefix>schema_history}, and holds an advisory lock
 * meanwhile so that processes starting together do not race; running it again is a no-op. Teams that manage
 * their schema with Flyway or Liquibase take the rendered script from {@link #sql()} instead (or run
 * {@code java -cp … dev.relato.postgres.PostgresSchema [schema] [prefix]}, which prints it), and then do not
 * call {@code migrate()}: a schema is managed one way or the other.
 *
 * @param name        schema name: 1 to {@value #MAX_SCHEMA_LENGTH} characters, a lower-case ASCII letter or
 *                    {@code _} followed by lower-case letters, digits or {@code _}; created if missing
 * @param tablePrefix prefix of every table name: empty, or up to {@value #MAX_PREFIX_LENGTH} characters of
 *                    the same alphabet
 *
 * <p>The constructor throws {@link IllegalArgumentException} naming the bad value.
 */
public record PostgresSchema(String name, String tablePrefix) {
    public static final int MAX_SCHEMA_LENGTH = 40;
    public static final int MAX_PREFIX_LENGTH = 15;
    public static final String DEFAULT_NAME = "relato";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSchema.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final String MIGRATIONS = "/dev/relato/postgres/migrations/";
    /** The shipped migrations, oldest first. */
    private static final List<String> MIGRATION_FILES = List.of("V1__events.sql", "V2__snapshots_checkpoints.sql",
            "V3__projections.sql", "V4__notify_after_commit.sql", "V5__stream_order.sql", "V6__occurred_at.sql",
            "V7__stream_deletion_personal_data.sql",
            "V8__faster_append.sql",
            "V9__deadlines.sql",
            "V10__projection_pauses.sql",
            "V11__dead_letter_replays.sql",
            "V12__append_without_head_row.sql",
            "V13__stream_notices.sql");
    /** First key of the advisory lock {@link #migrate} holds: "rlto". */
    private static final int MIGRATION_LOCK_CLASS = 0x726c746f;

    public PostgresSchema {
        Objects.requireNonNull(name, "schema name must not be null");
        Objects.requireNonNull(tablePrefix, "table prefix must not be null; use \"\" for none");
        if (name.isEmpty() || name.length() > MAX_SCHEMA_LENGTH || !IDENTIFIER.matcher(name).matches()
                || name.startsWith("pg_")) {
            throw new IllegalArgumentException("schema name '" + name + "' is not allowed: use 1 to "
                    + MAX_SCHEMA_LENGTH + " characters, a lower-case ASCII letter or '_' followed by lower-case"
                    + " letters, digits or '_', not starting with 'pg_'");
        }
        if (tablePrefix.length() > MAX_PREFIX_LENGTH
                || (!tablePrefix.isEmpty() && !IDENTIFIER.matcher(tablePrefix).matches())) {
            throw new IllegalArgumentException("table prefix '" + tablePrefix + "' is not allowed: use up to "
                    + MAX_PREFIX_LENGTH + " characters, a lower-case ASCII letter or '_' followed by lower-case"
                    + " letters, digits or '_'");
        }
    }

    /** Schema {@code relato}, no table prefix. */
    public static PostgresSchema defaults() {
        return new PostgresSchema(DEFAULT_NAME, "");
    }

    /** A schema with no table prefix. */
    public static PostgresSchema of(String name) {
        return new PostgresSchema(name, "");
    }

    /**
     * The whole schema as one SQL script (a check of the server's version, schema creation and every migration,
     * in order, each recorded in {@code <prefix>schema_history} as {@link #migrate} records it), ready to run once
     * by a schema tool. {@link #migrate} and {@link #validate} then find every migration applied.
     */
    public String sql() {
        StringBuilder script = new StringBuilder("-- Refuses a server older than PostgreSQL " + ServerVersion.MINIMUM
                + ".\nDO $check$ BEGIN IF current_setting('server_version_num')::int < " + ServerVersion.MINIMUM * 10_000
                + " THEN RAISE EXCEPTION 'PostgreSQL % is not supported: Relato needs PostgreSQL " + ServerVersion.MINIMUM
                + " or later', current_setting('server_version'); END IF; END $check$;\n");
        Sql sql = new Sql(this);
        script.append(sql.createSchema).append(";\n").append(sql.createHistory).append(";\n");
        for (String file : MIGRATION_FILES) {
            String template = template(file);
            script.append("\n-- ").append(file).append('\n').append(render(template))
                    .append("\n-- recorded, so that migrate() and validation know it is applied\n")
                    .append(sql.recordHistory(version(file), file, checksum(template))).append(";\n");
        }
        return script.toString();
    }

    /**
     * The shipped migrations, oldest first, rendered for this schema and prefix: one file each for Flyway or
     * Liquibase ({@code V1__events.sql}, …). The first also creates the schema. Their names and versions never
     * change once shipped; a new Relato version adds files.
     */
    public List<Migration> migrations() {
        List<Migration> migrations = new ArrayList<>();
        for (String file : MIGRATION_FILES) {
            String template = template(file);
            String body = render(template);
            if (migrations.isEmpty()) {
                body = new Sql(this).createSchema + ";\n\n" + body;
            }
            migrations.add(new Migration(version(file), file, body, checksum(template)));
        }
        return List.copyOf(migrations);
    }

    /**
     * The migrations {@link #migrate} recorded as applied in this schema: version to checksum; empty if it never
     * ran here (or the schema is managed by another tool).
     *
     * @throws StoreUnavailableException if the database cannot be reached
     * @throws StoreFailureException     if the database refuses the query for another reason
     */
    public SortedMap<Integer, String> appliedMigrations(DataSource dataSource) {
        SqlErrors errors = new SqlErrors(ErrorClassifier.storeDefault());
        Sql sql = new Sql(this);
        return Sessions.call(dataSource, errors, () -> "reading the migrations applied to schema '" + name + "'",
                c -> exists(c, sql, table("schema_history")) ? new TreeMap<>(applied(c, sql)) : new TreeMap<>());
    }

    /**
     * One shipped migration. Immutable and thread-safe.
     *
     * @param version  its version, 1, 2, 3 …
     * @param fileName its file name, {@code V<version>__<description>.sql}
     * @param sql      its script, rendered for the schema and prefix
     * @param checksum SHA-256 of the shipped template, as {@link #appliedMigrations} reports an applied one
     */
    public record Migration(int version, String fileName, String sql, String checksum) {
        public Migration {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(sql, "sql");
            Objects.requireNonNull(checksum, "checksum");
        }
    }

    /**
     * Creates the schema and applies the migrations not yet applied, in one transaction, under an advisory
     * lock. Idempotent and safe to call from several processes at once.
     *
     * @throws RelatoException           if an applied migration differs from the shipped one, or the server is
     *                                   older than {@link ServerVersion#MINIMUM}
     * @throws StoreUnavailableException if the database cannot be reached, or refuses the change for a
     *                                   transient reason
     * @throws StoreFailureException     if the database refuses the change for another reason (a permission)
     */
    public void migrate(DataSource dataSource) {
        migrate(dataSource, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    void migrate(DataSource dataSource, SqlErrors errors) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                migrate(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw errors.translate(e, "migrating schema '" + name + "' (table prefix '" + tablePrefix + "')");
        }
    }

    private void migrate(Connection c) throws SQLException {
        Sql sql = new Sql(this);
        ServerVersion.of(c).requireSupported();
        try (PreparedStatement lock = c.prepareStatement(sql.migrationLock)) {
            lock.setInt(1, MIGRATION_LOCK_CLASS);
            lock.setString(2, name + '.' + tablePrefix);
            lock.execute();
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql.createSchema);
            s.execute(sql.createHistory);
        }
        Map<Integer, String> applied = applied(c, sql);
        if (applied.isEmpty() && exists(c, sql, table("events"))) {
            throw new StoreFailureException("schema '" + name + "' (table prefix '" + tablePrefix + "') has Relato's"
                    + " tables but no record of the migrations that made them in " + table("schema_history")
                    + ": they were created by a script without that record. Insert the rows the script of"
                    + " PostgresSchema.sql() inserts for the migrations applied, or create the schema anew", null);
        }
        for (String file : MIGRATION_FILES) {
            int version = version(file);
            String template = template(file);
            String checksum = checksum(template);
            String done = applied.get(version);
            if (done != null) {
                checkSame(file, done, checksum);
                continue;
            }
            try (Statement s = c.createStatement()) {
                s.execute(render(template));
            }
            try (PreparedStatement record = c.prepareStatement(sql.insertHistory)) {
                record.setInt(1, version);
                record.setString(2, file);
                record.setString(3, checksum);
                record.executeUpdate();
            }
            LOG.info("applied migration {} to schema '{}' (table prefix '{}')", file, name, tablePrefix);
        }
    }

    /**
     * Checks, changing nothing, that every migration this version ships is applied to the schema (by
     * {@link #migrate} or by a tool that ran {@link #sql()}), unchanged.
     *
     * @throws StoreFailureException     naming the migrations missing or changed and how to apply them
     * @throws StoreUnavailableException if the database cannot be reached now
     */
    public void validate(DataSource dataSource) {
        validate(dataSource, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    void validate(DataSource dataSource, SqlErrors errors) {
        try (Connection c = dataSource.getConnection()) {
            Sql sql = new Sql(this);
            Map<Integer, String> applied = exists(c, sql, table("schema_history")) ? applied(c, sql) : Map.of();
            List<String> missing = new ArrayList<>();
            for (String file : MIGRATION_FILES) {
                String template = template(file);
                String done = applied.get(version(file));
                if (done == null) {
                    missing.add(file);
                } else {
                    checkSame(file, done, checksum(template));
                }
            }
            if (!missing.isEmpty()) {
                throw new StoreFailureException("schema '" + name + "' (table prefix '" + tablePrefix + "') lacks"
                        + " the migrations " + String.join(", ", missing) + ": run migrate() (or build the store with"
                        + " schemaPolicy(SchemaPolicy.MIGRATE)), or apply the script PostgresSchema.sql() with your"
                        + " schema tool", null);
            }
            int newest = version(MIGRATION_FILES.get(MIGRATION_FILES.size() - 1));
            applied.keySet().stream().filter(v -> v > newest).findFirst().ifPresent(v -> {
                throw new StoreFailureException("schema '" + name + "' has migration " + v + ", newer than this"
                        + " Relato knows (V" + newest + "); use a newer Relato", null);
            });
        } catch (SQLException e) {
            throw errors.translate(e, "validating schema '" + name + "' (table prefix '" + tablePrefix + "')");
        }
    }

    private static Map<Integer, String> applied(Connection c, Sql sql) throws SQLException {
        Map<Integer, String> applied = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.selectHistory)) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        return applied;
    }

    private static boolean exists(Connection c, Sql sql, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.tableExists)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void checkSame(String file, String applied, String shipped) {
        if (!applied.equals(shipped)) {
            throw new RelatoException("migration " + file + " was applied to schema '" + name
                    + "' with different content (checksum " + applied + ", shipped " + shipped
                    + "); the schema was changed by hand or by another Relato version");
        }
    }

    private static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }

    /** Prints the rendered schema script: arguments {@code [schema [prefix]]}. */
    public static void main(String[] args) {
        PostgresSchema schema = new PostgresSchema(args.length > 0 ? args[0] : DEFAULT_NAME,
                args.length > 1 ? args[1] : "");
        System.out.println(schema.sql());
    }

    /** The schema name, quoted for SQL. */
    String quotedName() {
        return '"' + name + '"';
    }

    /** A table (or function) of this schema, qualified and ready for SQL. */
    String table(String baseName) {
        return quotedName() + "." + tablePrefix + baseName;
    }

    /** The notification channel of migration V1's append function (V4 replaced it with one that sends none). */
    String channel() {
        return name + "." + tablePrefix + "events";
    }

    private String render(String template) {
        return template.replace("${schema}", quotedName())
                .replace("${prefix}", tablePrefix)
                .replace("${channel}", channel());
    }

    private static String template(String file) {
        try (InputStream in = PostgresSchema.class.getResourceAsStream(MIGRATIONS + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + MIGRATIONS + file + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("migration " + file + " could not be read", e);
        }
    }

    private static String checksum(String template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(template.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback after a failed migration failed too", e);
        }
    }
}
