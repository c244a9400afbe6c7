package dev.relato.postgres;

import java.time.Duration;
import java.util.Objects;

/**
 * A transaction in flight that holds readers of the global log back: events committed after it started have
 * positions above the ones it may still take, so {@code readAll}, subscriptions and projections cannot pass it until
 * it commits or rolls back. Names the backend so that an operator knows what to end
 * ({@code SELECT pg_terminate_backend(pid)}); {@code idle_in_transaction_session_timeout} ends such sessions on its
 * own. The sessions of other roles are visible only to a role with {@code pg_read_all_stats} (or a superuser).
 * Immutable and thread-safe.
 *
 * @param pid             the blocking backend's process id
 * @param applicationName its {@code application_name} (empty if unset)
 * @param state           its state, such as {@code idle in transaction}
 * @param transactionAge  how long its transaction has been open
 * @param query           the start (at most {@value #QUERY_PREVIEW} characters) of its current or last query
 */
public record LogHoldback(int pid, String applicationName, String state, Duration transactionAge, String query) {
    /** The most characters of the blocking backend's query kept. */
    public static final int QUERY_PREVIEW = 200;

    public LogHoldback {
        Objects.requireNonNull(applicationName, "application name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(transactionAge, "transaction age");
        Objects.requireNonNull(query, "query");
    }

    /** One line for an operator. */
    @Override
    public String toString() {
        return "backend pid " + pid + " (application '" + applicationName + "', " + state + ", transaction open for "
                + transactionAge + ", query: " + query + ")";
    }
}
