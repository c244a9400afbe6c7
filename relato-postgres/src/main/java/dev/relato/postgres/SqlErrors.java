package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.InvalidEventException;
import dev.relato.RelatoException;
import dev.relato.StoreFailureException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;

/**
 * Turns PostgreSQL errors into Relato's exceptions, by SQLState. An error is transient
 * ({@link dev.relato.StoreUnavailableException}) only if it is on the allow-list below, after the user's
 * {@link ErrorClassifier} has had its say; data exceptions are bad input ({@link InvalidEventException});
 * everything else is permanent ({@link StoreFailureException}). Immutable and thread-safe.
 *
 * <p>The allow-list: connection exceptions (class 08, which the driver also reports for a connection it lost or
 * could not open), serialization failure (40001) and deadlock (40P01), the server shutting down, crashed or
 * starting up (57P01, 57P02, 57P03), insufficient resources (class 53: out of memory or disk, too many
 * connections), a lock not available at once (55P03), and a pool that had no connection to lend in time
 * ({@link SQLTransientConnectionException}).
 */
final class SqlErrors {
    static final String UNIQUE_VIOLATION = "23505";
    static final String SERIALIZATION_FAILURE = "40001";
    static final String DEADLOCK = "40P01";
    private static final Set<String> TRANSIENT_STATES = Set.of(SERIALIZATION_FAILURE, DEADLOCK, "57P01", "57P02",
            "57P03", "55P03");
    private static final String TOMBSTONED = "RLT01";
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53");
    /** Undefined table, function or column, or no such schema: the schema was not (fully) migrated. */
    private static final Set<String> MISSING_SCHEMA_STATES = Set.of("42P01", "42883", "42703", "3F000");
    private static final Pattern KEY_VALUE = Pattern.compile("=\\(([0-9a-fA-F-]{36})\\)");

    private final ErrorClassifier classifier;

    SqlErrors(ErrorClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "error classifier must not be null");
    }

    /** The classifier these translations apply. */
    ErrorClassifier classifier() {
        return classifier;
    }

    /**
     * The exception for a failed operation.
     *
     * @param what what was being done, for the message ("appending to stream 'Order-1'")
     */
    RelatoException translate(SQLException e, String what) {
        String state = state(e);
        if (state.startsWith("22") || state.equals("54000")) {
            // data exception (JSON or a value PostgreSQL refuses) or a program limit
            return new InvalidEventException(what + " was refused by PostgreSQL: " + e.getMessage(), e);
        }
        String message;
        if (MISSING_SCHEMA_STATES.contains(state)) {
            message = what + " failed because the Relato schema is missing or not up to date (" + e.getMessage()
                    + " [SQLState " + state + "]); run migrate() or apply PostgresSchema.sql()";
        } else {
            message = what + " failed: " + e.getMessage() + (state.isEmpty() ? "" : " [SQLState " + state + "]");
        }
        return classifier.exception(message, e, verdict(e));
    }

    /** Whether the classifier (after the allow-list) deems {@code e} transient. */
    boolean isTransient(SQLException e) {
        return classifier.apply(e, verdict(e)) == ErrorClassifier.Kind.TRANSIENT;
    }

    /** The allow-list's verdict on {@code e}. */
    static ErrorClassifier.Kind verdict(SQLException e) {
        String state = state(e);
        boolean transientCondition = e instanceof SQLTransientConnectionException
                || TRANSIENT_STATES.contains(state)
                || (state.length() == 5 && TRANSIENT_CLASSES.contains(state.substring(0, 2)));
        return transientCondition ? ErrorClassifier.Kind.TRANSIENT : ErrorClassifier.Kind.PERMANENT;
    }

    /** Whether the transaction lost a serialization or deadlock race: running it again may succeed. */
    /** An append to a stream deleted with a tombstone (raised by the trigger on a stream's first event, V12). */
    static boolean isTombstoned(SQLException e) {
        return TOMBSTONED.equals(state(e));
    }

    static boolean isSerializationFailure(SQLException e) {
        String state = state(e);
        return state.equals(SERIALIZATION_FAILURE) || state.equals(DEADLOCK);
    }

    /** Whether {@code e} is a unique violation of the named constraint. */
    static boolean isUniqueViolation(SQLException e, String constraint) {
        return UNIQUE_VIOLATION.equals(e.getSQLState()) && constraint(e).filter(constraint::equals).isPresent();
    }

    /** The UUID in a unique violation's detail, {@code Key (event_id)=(…) already exists.} */
    static Optional<UUID> conflictingId(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getDetail() != null) {
            Matcher m = KEY_VALUE.matcher(p.getServerErrorMessage().getDetail());
            if (m.find()) {
                return Optional.of(UUID.fromString(m.group(1)));
            }
        }
        return Optional.empty();
    }

    private static String state(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }

    private static Optional<String> constraint(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return Optional.ofNullable(p.getServerErrorMessage().getConstraint());
        }
        return Optional.empty();
    }
}
