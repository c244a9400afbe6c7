package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relato.RecordedEvent;
import dev.relato.nats.NatsEventStore;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The jar against NATS JetStream: the connection, and a read of each kind, on a stream of the test's own. */
class CliNatsIT {
    static final String URL = System.getenv().getOrDefault("RELATO_NATS_URL", "nats://127.0.0.1:4222");

    private Connection connection;
    private String streamName;
    private Fixture fixture;

    @BeforeEach
    void writeEvents() {
        try {
            connection = Nats.connect(new Options.Builder().server(URL).connectionTimeout(Duration.ofSeconds(3)).build());
        } catch (IOException | InterruptedException e) {
            String message = "nats-server with JetStream is not reachable at " + URL + " (" + e + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            assumeTrue(false, message);
        }
        streamName = "relato-cli-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        try (NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(streamName).build()) {
            fixture = Fixture.write(store, store.checkpoints(), store.deadLetters());
        }
    }

    @AfterEach
    void deleteStreams() throws Exception {
        if (connection == null) {
            return;
        }
        JetStreamManagement jsm = connection.jetStreamManagement();
        for (String name : jsm.getStreamNames()) {
            if (name.contains(streamName)) {
                try {
                    jsm.deleteStream(name);
                } catch (JetStreamApiException ignored) {
                    // already gone
                }
            }
        }
        connection.close();
    }

    @Test
    void connectsAndReads() {
        Cli.Result streams = Cli.run("streams", "list", "--stream-name", streamName, "--store", URL);
        assertThat(streams.code()).as(streams.toString()).isZero();
        assertThat(streams.out()).contains("Order-o-1", "Order-o-2", "Customer-c-1");
        Cli.Result stream = Cli.run("stream", "read", "Order-o-1", "--from", "2", "--json", "--stream-name", streamName,
                "--store", URL);
        assertThat(stream.code()).as(stream.toString()).isZero();
        assertThat(stream.lines()).hasSize(2);
        Cli.Result log = Cli.run("log", "tail", "--last", "1", "--json", "--stream-name", streamName, "--store", URL);
        assertThat(log.lines()).hasSize(1);
        assertThat(log.out()).contains("\"stream\":\"Customer-c-1\"");
        Cli.Result projections = Cli.run("projections", "list", "--json", "--stream-name", streamName, "--store", URL);
        assertThat(projections.out()).contains("\"name\":\"order-list\"", "\"deadLetters\":1");
        Cli.Result schema = Cli.run("schema", "print", "--stream-name", streamName, "--store", URL);
        assertThat(schema.code()).isEqualTo(1);
        assertThat(schema.err()).contains("a nats store has no SQL schema");
    }

    @Test
    void streamDeleteAndTruncateRemoveEvents() {
        Cli.Result truncated = Cli.run("stream", "truncate", "Order-o-1", "--before", "2", "--yes", "--stream-name",
                streamName, "--store", URL);
        assertThat(truncated.code()).as(truncated.toString()).isZero();
        Cli.Result deleted = Cli.run("stream", "delete", "Order-o-2", "--yes", "--stream-name", streamName, "--store", URL);
        assertThat(deleted.code()).as(deleted.toString()).isZero();

        try (NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(streamName).build()) {
            assertThat(store.read(Fixture.O1)).extracting(RecordedEvent::streamVersion).first().isEqualTo(2L);
            assertThat(store.streamVersion(Fixture.O2)).isZero();
        }
    }

    @Test
    void projectionsPauseAndResumeReachARunnerOfAnotherProcess() throws Exception {
        try (NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(streamName).build()) {
            PauseRoundTrip.run(store, store.checkpoints(), "--stream-name", streamName, "--store", URL);
        }
    }

    @Test
    void deadLettersReplayAsksTheRunnerOfAnotherProcess() throws Exception {
        try (NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(streamName).build()) {
            ReplayRoundTrip.run(store, store.checkpoints(), store.deadLetters(), fixture, "--stream-name", streamName,
                    "--store", URL);
        }
    }

    @Test
    void anUnreachableServerIsOneLineAndExitCode1() {
        Cli.Result result = Cli.run("streams", "list", "--store", "nats://127.0.0.1:1");
        assertThat(result.code()).as(result.toString()).isEqualTo(1);
        assertThat(result.err().lines().filter(l -> l.startsWith("relato: ")).count()).isEqualTo(1);
        assertThat(result.err()).doesNotContain("\tat ");
    }
}
