package dev.relato.nats;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The nats-server the tests talk to: {@code RELATO_NATS_URL}, default {@code nats://127.0.0.1:4222}. Under
 * {@code CI=true} an unreachable server fails the test; elsewhere it skips it with a message.
 */
final class NatsTestServer {
    static final String URL = System.getenv().getOrDefault("RELATO_NATS_URL", "nats://127.0.0.1:4222");

    private static Connection shared; // guarded by NatsTestServer.class

    private NatsTestServer() {
    }

    /**
     * A connection the tests of one class share, opened when a test first asks for it (never in class set-up,
     * so that tests are reported as skipped when there is no server) and closed by {@link #closeShared()}.
     */
    static synchronized Connection shared() {
        if (shared == null) {
            shared = connect();
        }
        return shared;
    }

    /** Closes the shared connection, if one was opened. */
    static synchronized void closeShared() throws InterruptedException {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** A connection to the test server, or the test is skipped (failed under CI). */
    static Connection connect() {
        try {
            return Nats.connect(new Options.Builder().server(URL).connectionTimeout(Duration.ofSeconds(3))
                    .maxReconnects(-1).build());
        } catch (IOException | InterruptedException e) {
            String message = "nats-server with JetStream is not reachable at " + URL + " (" + e
                    + "); start one (nats-server -js) or set RELATO_NATS_URL";
            if (inCi()) {
                fail(message);
            }
            assumeTrue(false, message);
            throw new AssertionError(message);
        }
    }

    /** A fresh name for a stream or bucket, so tests never share state. */
    static String uniqueName(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /** Deletes streams (and so key-value buckets, given as KV_name) if they exist. */
    static void deleteStreams(Connection connection, List<String> streams) {
        for (String stream : streams) {
            try {
                connection.jetStreamManagement().deleteStream(stream);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != NatsSupport.STREAM_NOT_FOUND) {
                    throw new IllegalStateException("could not delete test stream " + stream, e);
                }
            } catch (IOException e) {
                throw new IllegalStateException("could not delete test stream " + stream, e);
            }
        }
    }

    /** Deletes an event store's stream, its event id claims and the buckets it made beside them. */
    static void deleteEventStore(Connection connection, String streamName) {
        deleteStreams(connection, List.of(streamName, "KV_" + streamName + "-event-ids",
                "KV_" + streamName + "-truncations", "KV_" + streamName + "-snapshots",
                "KV_" + streamName + "-checkpoints", "KV_" + streamName + "-dead-letters", "KV_" + streamName + "-leases",
                "KV_" + streamName + "-data-keys",
                "KV_" + streamName + "-deadlines"));
    }
}
