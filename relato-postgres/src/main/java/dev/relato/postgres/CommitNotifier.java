package dev.relato.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the append channel's NOTIFY for appends that committed on their own, from a thread of its own, so
 * that an append does not pay a second round trip for it. Appends that arrive while a NOTIFY is being sent
 * are covered by one more NOTIFY, so a burst of appends costs one or two. A failure is logged, not thrown:
 * the appends are committed, and subscriptions also poll. The thread starts with the first append and ends
 * at {@link #close()}, after sending what is pending. Thread-safe.
 */
final class CommitNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitNotifier.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final DataSource dataSource;
    private final Sql sql;
    private final Object lock = new Object();
    private boolean pending;
    private boolean closed;
    private Thread thread;

    CommitNotifier(DataSource dataSource, Sql sql) {
        this.dataSource = dataSource;
        this.sql = sql;
    }

    /** An append committed: notify the channel soon. */
    void committed() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending = true;
            if (thread == null) {
                thread = new Thread(this::run, "relato-postgres-notifier");
                thread.setDaemon(true);
                thread.start();
            }
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                while (!pending && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!pending) {
                    return;
                }
                pending = false;
            }
            try (Connection c = dataSource.getConnection()) {
                Sessions.autoCommitted(c, connection -> {
                    try (PreparedStatement ps = connection.prepareStatement(sql.notifyAppended)) {
                        ps.setString(1, sql.channel);
                        return ps.execute();
                    }
                });
            } catch (SQLException | RuntimeException e) {
                LOG.warn("appends are committed, but notifying subscriptions of other processes failed; they will"
                        + " find the events when they next poll: {}", e.toString());
            }
        }
    }

    /** Sends what is pending, then stops the thread. Idempotent. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = thread;
            lock.notifyAll();
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
