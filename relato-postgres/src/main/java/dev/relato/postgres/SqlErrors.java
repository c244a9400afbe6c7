package dev.relato.postgres;

import dev.relato.InvalidEventException;
import dev.relato.RelatoException;
import dev.relato.StoreUnavailableException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;

/** Turns PostgreSQL errors into Relato's exceptions, by SQLState. Stateless. */
final class SqlErrors {
    static final String UNIQUE_VIOLATION = "23505";
    private static final Pattern KEY_VALUE = Pattern.compile("=\\(([0-9a-fA-F-]{36})\\)");

    private SqlErrors() {
    }

    /**
     * The exception for a failed operation.
     *
     * @param what what was being done, for the message ("appending to stream 'Order-1'")
     */
    static RelatoException translate(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("22") || state.equals("54000")) {
            // data exception (e.g. JSON PostgreSQL's jsonb refuses, such as \u0000) or a program limit
            return new InvalidEventException(what + " was refused by PostgreSQL: " + e.getMessage(), e);
        }
        if (state.equals("42P01") || state.equals("42883") || state.equals("3F000")) {
            return new RelatoException(what + " failed because the Relato schema is missing or incomplete ("
                    + e.getMessage() + "); run migrate() or apply PostgresSchema.sql()", e);
        }
        return new StoreUnavailableException(what + " failed: " + e.getMessage()
                + (state.isEmpty() ? "" : " [SQLState " + state + "]"), e);
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

    private static Optional<String> constraint(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return Optional.ofNullable(p.getServerErrorMessage().getConstraint());
        }
        return Optional.empty();
    }
}
