package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code dead-letters replay} run as a process while the projection's runner runs in the test's JVM on the same
 * store: the request is stored, the runner hands the event to its handler, and the command tells how it went.
 */
final class ReplayRoundTrip {

    private ReplayRoundTrip() {
    }

    /** Runs it on a store holding the {@link Fixture}; {@code storeOptions} name the store to the jar. */
    static void run(EventStore store, CheckpointStore checkpoints, DeadLetterStore deadLetters, Fixture fixture,
                    String... storeOptions) throws Exception {
        String position = Long.toString(fixture.o2.position());
        Cli.Result asked = Cli.run(PauseRoundTrip.command(List.of("dead-letters", "replay", Fixture.PROJECTION, position, "--wait", "0",
                "--json"), storeOptions));
        assertThat(asked.code()).as(asked.toString()).isZero();
        assertThat(asked.out()).contains("\"outcome\":\"requested\"");
        assertThat(deadLetters.replayRequests(Fixture.PROJECTION)).containsExactly(fixture.o2.position());

        AtomicBoolean healed = new AtomicBoolean();
        Queue<String> handled = new ConcurrentLinkedQueue<>();
        Projection<Queue<String>> orders = Projection.<Queue<String>>named(Fixture.PROJECTION)
                .on(PauseRoundTrip.OrderPlaced.class, (seen, event, recorded) -> {
                    if (event.customer().equals("bob") && !healed.get()) {
                        throw new IllegalStateException("no such customer: bob");
                    }
                    seen.add(event.customer());
                })
                .build();
        try (ProjectionRunner<Queue<String>> runner = ProjectionRunner.builder(orders, store, PauseRoundTrip.SERIALIZER)
                .context(handled, checkpoints).deadLetters(deadLetters)
                .failurePolicy(FailurePolicy.retry(1, Duration.ofMillis(1)).thenSkip())
                .pollInterval(Duration.ofMillis(100)).start()) {
            assertThat(runner.awaitCaughtUp(PauseRoundTrip.WAIT)).isTrue();
            PauseRoundTrip.until("the asked-for replay is carried out",
                    () -> deadLetters.replayRequests(Fixture.PROJECTION).isEmpty());
            assertThat(deadLetters.find(Fixture.PROJECTION, fixture.o2.position())).as("failed again").isPresent();

            Cli.Result again = Cli.run(PauseRoundTrip.command(List.of("dead-letters", "replay", Fixture.PROJECTION, position),
                    storeOptions));
            CliSqliteIT.expect(again, 1, "no such customer: bob");
            assertThat(again.err()).contains("failed again");
            assertThat(handled).doesNotContain("bob");

            healed.set(true);
            Cli.Result replayed = Cli.run(PauseRoundTrip.command(List.of("dead-letters", "replay", Fixture.PROJECTION, position,
                    "--json"), storeOptions));
            assertThat(replayed.code()).as(replayed.toString()).isZero();
            assertThat(replayed.out()).contains("\"outcome\":\"replayed\"");
            assertThat(handled).containsOnlyOnce("bob");
            assertThat(deadLetters.find(Fixture.PROJECTION, fixture.o2.position())).isEmpty();

            CliSqliteIT.expect(Cli.run(PauseRoundTrip.command(List.of("dead-letters", "replay", Fixture.PROJECTION, position),
                    storeOptions)), 1, "has no dead letter at position " + position);
            Cli.Result malformed = Cli.run(PauseRoundTrip.command(List.of("dead-letters", "replay", Fixture.PROJECTION, "x"),
                    storeOptions));
            assertThat(malformed.code()).as(malformed.toString()).isEqualTo(2);
        }
    }
}
