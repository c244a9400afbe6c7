package dev.relato.sqlite;

import dev.relato.ErrorClassifier;
import dev.relato.InvalidEventException;
import dev.relato.RelatoException;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Turns SQLite failures into the exceptions of the failure model, for one database file. Thread-safe.
 *
 * <p>The allow-list of transient conditions (retrying later may succeed):
 * <ul>
 *   <li>{@code SQLITE_BUSY} and {@code SQLITE_LOCKED}, with their extended codes: another connection or process
 *       held a lock longer than the busy timeout;</li>
 *   <li>{@code SQLITE_NOMEM}: the process ran out of memory;</li>
 *   <li>{@code SQLITE_FULL}: the disk is full;</li>
 *   <li>{@code SQLITE_IOERR} and its extended codes, except those that say the file system refuses access
 *       ({@code IOERR_ACCESS}), the data is corrupt ({@code IOERR_DATA}, {@code IOERR_CORRUPTFS}) or a path
 *       cannot be converted ({@code IOERR_CONVPATH}): a read, write or sync that failed may succeed later;</li>
 *   <li>{@code SQLITE_PROTOCOL}: a race on the write-ahead log's locks.</li>
 * </ul>
 * Everything else is permanent: a missing table or column, a read-only or corrupt file, a file that is not a
 * database, a constraint the store did not expect, misuse. Closing the store waits for the reads and writes in
 * progress, so no operation sees its connection closed under it; calls after {@code close} throw
 * {@link IllegalStateException}, which is permanent too (a closed store does not reopen).
 *
 * <p>The {@link ErrorClassifier} of the store's builder sees every failure with this verdict and may change it.
 */
final class SqliteErrors {
    private static final Set<SQLiteErrorCode> PERMANENT_IO = Set.of(SQLiteErrorCode.SQLITE_IOERR_ACCESS,
            SQLiteErrorCode.SQLITE_IOERR_DATA, SQLiteErrorCode.SQLITE_IOERR_CORRUPTFS,
            SQLiteErrorCode.SQLITE_IOERR_CONVPATH);

    private final Path path;
    private final Duration busyTimeout;
    private final ErrorClassifier classifier;

    SqliteErrors(Path path, Duration busyTimeout, ErrorClassifier classifier) {
        this.path = path;
        this.busyTimeout = busyTimeout;
        this.classifier = classifier;
    }

    /**
     * The exception for a failure of {@code what}: {@link StoreUnavailableException} if transient after the
     * classifier, {@link StoreFailureException} otherwise. The message names the file and what failed.
     */
    RelatoException translate(String what, SQLException e) {
        String message = what + " on SQLite database '" + path + "' failed: " + (isBusy(e)
                ? "the database was locked by another connection for longer than the busy timeout of "
                + busyTimeout.toMillis() + " ms; another process may hold a long write transaction"
                : e.getMessage());
        return classifier.exception(message, e, verdict(e));
    }

    /**
     * The exception for a failed insert of an append's events: {@link InvalidEventException} if SQLite refused the
     * data itself (too big, a constraint, a type mismatch) and the classifier agrees it is permanent; as
     * {@link #translate} otherwise.
     */
    RelatoException translateAppend(String what, SQLException e) {
        if (refusesData(e) && classifier.apply(e, ErrorClassifier.Kind.PERMANENT) == ErrorClassifier.Kind.PERMANENT) {
            return new InvalidEventException(what + " was refused by SQLite database '" + path + "': "
                    + e.getMessage() + "; nothing was stored", e);
        }
        return translate(what, e);
    }

    /** The store's own verdict on a failure, from the allow-list above. */
    static ErrorClassifier.Kind verdict(SQLException e) {
        SQLiteErrorCode code = code(e);
        int primary = code != null ? code.code & 0xff : e.getErrorCode() & 0xff;
        boolean retryable = switch (primary) {
            case 5, 6, 7, 13, 15 -> true; // BUSY, LOCKED, NOMEM, FULL, PROTOCOL
            case 10 -> code == null || !PERMANENT_IO.contains(code); // IOERR
            default -> false;
        };
        return retryable ? ErrorClassifier.Kind.TRANSIENT : ErrorClassifier.Kind.PERMANENT;
    }

    static boolean isBusy(SQLException e) {
        SQLiteErrorCode code = code(e);
        return code != null && (code.code & 0xff) == SQLiteErrorCode.SQLITE_BUSY.code;
    }

    /** Whether SQLite refused the values themselves: too big, a constraint, a type mismatch. */
    private static boolean refusesData(SQLException e) {
        SQLiteErrorCode code = code(e);
        int primary = code != null ? code.code & 0xff : e.getErrorCode() & 0xff;
        return primary == SQLiteErrorCode.SQLITE_TOOBIG.code || primary == SQLiteErrorCode.SQLITE_CONSTRAINT.code
                || primary == SQLiteErrorCode.SQLITE_MISMATCH.code;
    }

    /** The SQLite result code (extended where the driver reports it) of the first SQLite failure in the chain. */
    private static SQLiteErrorCode code(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite && sqlite.getResultCode() != null
                    && sqlite.getResultCode() != SQLiteErrorCode.UNKNOWN_ERROR) {
                return sqlite.getResultCode();
            }
        }
        return null;
    }

    /** Whether {@code e}, or an exception it wraps, is a unique constraint violation. */
    static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite && sqlite.getResultCode() != null) {
                SQLiteErrorCode code = sqlite.getResultCode();
                if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                        || (code == SQLiteErrorCode.SQLITE_CONSTRAINT && String.valueOf(t.getMessage()).contains("UNIQUE"))) {
                    return true;
                }
            } else if (t instanceof SQLException sql && (sql.getErrorCode() & 0xff) == SQLiteErrorCode.SQLITE_CONSTRAINT.code
                    && String.valueOf(sql.getMessage()).contains("UNIQUE")) {
                return true;
            }
        }
        return false;
    }
}
