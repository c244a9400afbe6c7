package dev.relato.postgres;

import dev.relato.observe.Health;
import dev.relato.observe.RelatoObserver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the transaction in flight that holds readers of the global log back ({@link LogHoldback}), reports how
 * long to the store's observer, and warns once per blocking transaction held longer than a threshold. Checked on
 * demand ({@link #find}, {@link #health}) and, while the store's subscriptions poll, by the head watcher at most
 * once per {@link #WATCH_INTERVAL} ({@link #watch}). Thread-safe.
 */
final class LogHoldbacks {
    /** The least time between two checks of {@link #watch}. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    private final Sql sql;
    private final RelatoObserver observer;
    private final Duration warnAfter;
    private final Logger log;
    private final long watchNanos;
    /** The blocking transaction last warned about (pid and start), so that each is warned about once. */
    private final AtomicReference<String> warned = new AtomicReference<>("");
    /** When {@link #watch} checks next ({@link System#nanoTime()}). */
    private final AtomicLong nextWatch = new AtomicLong(System.nanoTime());
    /** Whether the last check of {@link #watch} found readers held back. */
    private volatile boolean holding;

    /**
     * @param warnAfter how long a transaction may hold readers back before {@link #watch} warns, naming it
     */
    LogHoldbacks(Sql sql, RelatoObserver observer, Duration warnAfter) {
        this(sql, observer, warnAfter, LoggerFactory.getLogger(LogHoldbacks.class), WATCH_INTERVAL);
    }

    LogHoldbacks(Sql sql, RelatoObserver observer, Duration warnAfter, Logger log, Duration watchInterval) {
        this.sql = sql;
        this.observer = observer;
        this.warnAfter = warnAfter;
        this.log = log;
        this.watchNanos = watchInterval.toNanos();
    }

    /**
     * Called on every read of the head watcher: at most once per {@link #WATCH_INTERVAL}, looks for a transaction
     * holding readers back. While one does, its age goes to the observer at each check and, once it passes the
     * threshold, one warning names it; when the episode ends the observer is told {@link Duration#ZERO}.
     */
    void watch(Connection c, long head) throws SQLException {
        long now = System.nanoTime();
        long next = nextWatch.get();
        if (now - next < 0 || !nextWatch.compareAndSet(next, now + watchNanos)) {
            return;
        }
        Optional<Blocker> blocker = blocker(c);
        if (blocker.isEmpty()) {
            if (holding) {
                holding = false;
                observer.readersHeldBack(PostgresEventStore.STORE, Duration.ZERO);
            }
            return;
        }
        holding = true;
        if (blocker.get().holdback().transactionAge().compareTo(warnAfter) > 0) {
            warnOnce(blocker.get(), holdbackLine(blocker.get().holdback(), head, warnAfter));
        }
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
        String line = holdbackLine(blocker.get().holdback(), head, threshold);
        warnOnce(blocker.get(), line);
        return new Health("store", false, line);
    }

    private static String holdbackLine(LogHoldback h, long head, Duration threshold) {
        return "the global log is held back at position " + head + " for longer than " + threshold + " by " + h
                + "; end it with pg_terminate_backend(" + h.pid() + "), or let idle_in_transaction_session_timeout"
                + " end such sessions";
    }

    private void warnOnce(Blocker blocker, String line) {
        if (!blocker.since().equals(warned.getAndSet(blocker.since()))) {
            log.warn(line);
        }
    }
}
