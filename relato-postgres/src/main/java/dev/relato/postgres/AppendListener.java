package dev.relato.postgres;

import dev.relato.spi.AppendSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that LISTENs on the append channel over one connection of the store's data source and fires the
 * {@link AppendSignal} on every notification. When the connection breaks it reconnects with exponential
 * backoff, and fires the signal after every (re)connection so that notifications missed meanwhile cost
 * nothing. Subscriptions poll as well, so the listener only shortens their latency. Thread-safe.
 */
final class AppendListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppendListener.class);
    private static final int WAIT_MILLIS = 500;
    /** A quiet connection is probed this often, so that one silently lost is noticed and replaced. */
    private static final long PROBE_NANOS = 10_000_000_000L;

    private final DataSource dataSource;
    private final Sql sql;
    private final AppendSignal signal;
    private final Duration maxBackoff;
    private final Thread thread;
    private volatile boolean stopping;

    AppendListener(DataSource dataSource, Sql sql, AppendSignal signal, Duration maxBackoff) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.signal = signal;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, "relato-postgres-listener-" + sql.channel);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long backoff = 100;
        while (!stopping) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute(sql.listen);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                LOG.debug("listening on channel '{}'", sql.channel);
                backoff = 100;
                signal.fire();
                long lastHeard = System.nanoTime();
                while (!stopping) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        signal.fire();
                        lastHeard = System.nanoTime();
                    } else if (System.nanoTime() - lastHeard > PROBE_NANOS) {
                        if (!c.isValid(5)) {
                            throw new SQLException("the LISTEN connection no longer answers", "08006");
                        }
                        lastHeard = System.nanoTime();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute(sql.unlisten); // the connection goes back to its pool
                }
            } catch (SQLException | RuntimeException e) {
                if (stopping) {
                    break;
                }
                LOG.warn("listening on channel '{}' failed; reconnecting in {} ms: {}", sql.channel, backoff,
                        e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = Math.min(backoff * 2, Math.max(100, maxBackoff.toMillis()));
            }
        }
    }

    /** Stops listening; returns once the thread has ended (within about half a second). */
    @Override
    public void close() {
        stopping = true;
        if (thread.isAlive() && Thread.currentThread() != thread) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
