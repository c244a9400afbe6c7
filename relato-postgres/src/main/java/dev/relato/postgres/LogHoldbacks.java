package dev.relato.postgres;

import dev.relato.observe.Health;
import dev.relato.observe.RelatoObserver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the transaction in flight that holds readers of the global log back ({@link LogHoldback}), reports how
 * long to the store's observer, and warns once per blocking transaction held longer than a check's threshold.
 * Thread-safe.
 */
final class LogHoldbacks {
    private static final Logger LOG = LoggerFactory.getLogger(LogHoldbacks.class);

    private final Sql sql;
    private final RelatoObserver observer;
    /** The blocking transaction last warned about (pid and start), so that each is warned about once. */
    private final AtomicReference<String> warned = new AtomicReference<>("");

    LogHoldbacks(Sql sql, RelatoObserver observer) {
        this.sql = sql;
        this.observer = observer;
    }

    Optional<LogHoldback> find(Connection c) throws SQLException {
        return blocker(c).map(Blocker::holdback);
    }

    /** The blocking transaction and when it started, as PostgreSQL prints it (which tells two apart). */
    private record Blocker(LogHoldback holdback, String since) {
    }

    private Optional<Blocker> blocker(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.logHoldback); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            Duration age = Duration.ofNanos(Math.max(0, (long) (rs.getDouble(4) * 1e9)));
            observer.readersHeldBack(PostgresEventStore.STORE, age);
            return Optional.of(new Blocker(new LogHoldback(rs.getInt(1), rs.getString(2), rs.getString(3), age,
                    rs.getString(5)), rs.getInt(1) + "@" + rs.getString(6)));
        }
    }

    /**
     * The store's health: the head position, read with a round trip, and down if a transaction has held the log
     * back for longer than {@code threshold}, naming it (warned about once per blocking transaction).
     */
    Health health(Connection c, long head, Duration threshold) throws SQLException {
        Optional<Blocker> blocker = blocker(c);
        if (blocker.isEmpty() || blocker.get().holdback().transactionAge().compareTo(threshold) <= 0) {
            return new Health("store", true, "head position " + head + blocker.map(b -> "; held back by "
                    + b.holdback()).orElse(""));
        }
        LogHoldback h = blocker.get().holdback();
        String line = "the global log is held back at position " + head + " for longer than " + threshold + " by " + h
                + "; end it with pg_terminate_backend(" + h.pid() + "), or let idle_in_transaction_session_timeout"
                + " end such sessions";
        if (!blocker.get().since().equals(warned.getAndSet(blocker.get().since()))) {
            LOG.warn(line);
        }
        return new Health("store", false, line);
    }
}
