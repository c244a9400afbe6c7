package dev.relato.nats;

import dev.relato.StoreUnavailableException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connection handling and checks shared by the NATS stores; {@link NatsFailures} maps failures. Stateless and thread-safe. */
final class NatsSupport {
    private static final Logger LOG = LoggerFactory.getLogger(NatsSupport.class);

    /** JetStream API error: wrong last sequence (expected-last-subject-sequence did not match). */
    static final int WRONG_LAST_SEQUENCE = 10071;
    /** JetStream API error: no message found. */
    static final int NO_MESSAGE_FOUND = 10037;
    /** JetStream API error: stream not found. */
    static final int STREAM_NOT_FOUND = 10059;
    /** JetStream API error: stream name already in use with a different configuration. */
    static final int STREAM_NAME_IN_USE = 10058;

    private NatsSupport() {
    }

    /**
     * A connection to the first reachable of {@code url}'s servers (comma-separated) that reconnects for
     * ever in the background.
     *
     * @throws StoreUnavailableException if no server can be reached
     */
    static Connection connect(String url, Duration timeout, String name) {
        Objects.requireNonNull(url, "url");
        Options options = new Options.Builder()
                .servers(url.split(","))
                .connectionName(name)
                .connectionTimeout(timeout)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .build();
        try {
            return Nats.connect(options);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot connect to NATS at " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while connecting to NATS at " + url, e);
        }
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("closing the NATS connection failed", e);
        }
    }

    /** Checks a replica count: 1 to 5, as JetStream allows. */
    static int checkReplicas(int count) {
        if (count < 1 || count > 5) {
            throw new IllegalArgumentException("replicas must be 1 to 5, got " + count);
        }
        return count;
    }

    /** Checks a request timeout: positive. */
    static Duration checkTimeout(Duration duration) {
        Objects.requireNonNull(duration, "timeout");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + duration);
        }
        return duration;
    }

    /**
     * Checks that the connected server runs JetStream.
     *
     * @throws NatsConfigurationException if it does not
     */
    static void requireJetStream(Connection connection) {
        if (connection.getServerInfo() != null && !connection.getServerInfo().isJetStreamAvailable()) {
            throw new NatsConfigurationException("the NATS server at " + connection.getConnectedUrl()
                    + " does not have JetStream enabled; start it with -js (or jetstream {} in its configuration)");
        }
    }

    /** Who owns a connection: a store built from a URL closes it, one given a connection does not. */
    record Handle(Connection connection, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                closeQuietly(connection);
            }
        }
    }

    /** The connection a builder was given, or a new one to its URL. */
    static Handle handle(Connection connection, String url, Duration timeout, String name) {
        if (connection != null && url != null) {
            throw new IllegalStateException("give either a connection or a url, not both");
        }
        Handle handle;
        if (connection != null) {
            handle = new Handle(connection, false);
        } else if (url == null) {
            throw new IllegalStateException("give a connection or a url");
        } else {
            handle = new Handle(connect(url, timeout, name), true);
        }
        try {
            requireJetStream(handle.connection());
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        return handle;
    }
}
