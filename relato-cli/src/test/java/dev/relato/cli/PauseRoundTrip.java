package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * {@code projections pause} and {@code resume} run as processes while a runner of the projection runs in the test's
 * JVM on the same store: the runner stops while paused and goes on from its checkpoint once resumed.
 */
final class PauseRoundTrip {
    static final String PROJECTION = "placed-orders";
    static final Duration WAIT = Duration.ofSeconds(30);

    /** The fixture's {@code OrderPlaced} payloads. */
    record OrderPlaced(String customer, String note) {
    }

    /** Appended while paused, of a type of its own, so the store's other tests count the same events. */
    record CustomerNoted(String customer) {
    }

    static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder()
            .register(OrderPlaced.class, "OrderPlaced", 1).register(CustomerNoted.class, "CustomerNoted", 1).build());

    private PauseRoundTrip() {
    }

    /**
     * Starts a runner of {@link #PROJECTION} collecting the customers of the events, and waits until it has caught
     * up and saved its checkpoint.
     */
    static ProjectionRunner<Set<String>> start(EventStore store, CheckpointStore checkpoints, Set<String> customers)
            throws InterruptedException {
        Projection<Set<String>> placed = Projection.<Set<String>>named(PROJECTION)
                .on(OrderPlaced.class, (seen, event, recorded) -> seen.add(event.customer()))
                .on(CustomerNoted.class, (seen, event, recorded) -> seen.add(event.customer()))
                .build();
        ProjectionRunner<Set<String>> runner = ProjectionRunner.builder(placed, store, SERIALIZER)
                .context(customers, checkpoints).pollInterval(Duration.ofMillis(100)).start();
        assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
        until("the checkpoint is saved", () -> checkpoints.load(PROJECTION) > 0);
        return runner;
    }

    /** Appends an event the runner handles by adding {@code customer}; returns its position. */
    static long note(EventStore store, String customer) {
        store.append(StreamId.of("Note", UUID.randomUUID().toString()), ExpectedVersion.noStream(),
                List.of(Fixture.event("CustomerNoted", "{\"customer\":\"" + customer + "\"}")));
        return store.headPosition();
    }

    /** Waits until the runner reports {@link ProjectionState#PAUSED}. */
    static void awaitPaused(ProjectionRunner<?> runner) throws InterruptedException {
        until("the runner is paused", () -> runner.status().state() == ProjectionState.PAUSED);
    }

    /** Runs the round trip; {@code storeOptions} name the store to the jar ({@code --store …} and its options). */
    static void run(EventStore store, CheckpointStore checkpoints, String... storeOptions) throws Exception {
        Set<String> customers = ConcurrentHashMap.newKeySet();
        try (ProjectionRunner<Set<String>> runner = start(store, checkpoints, customers)) {
            assertThat(customers).containsExactlyInAnyOrder("alice", "bob");

            Cli.Result pause = Cli.run(command(List.of("projections", "pause", PROJECTION, "--json"), storeOptions));
            assertThat(pause.code()).as(pause.toString()).isZero();
            assertThat(pause.out()).contains("\"name\":\"" + PROJECTION + "\"", "\"paused\":true");
            awaitPaused(runner);
            long noted = note(store, "carol");
            assertThat(runner.awaitPosition(noted, Duration.ofMillis(500)))
                    .as("a paused runner handles nothing").isFalse();
            assertThat(customers).doesNotContain("carol");
            Cli.Result status = Cli.run(command(List.of("projections", "status", PROJECTION), storeOptions));
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out()).contains("PAUSED", "true");

            Cli.Result resume = Cli.run(command(List.of("projections", "resume", PROJECTION, "--json"), storeOptions));
            assertThat(resume.code()).as(resume.toString()).isZero();
            assertThat(resume.out()).contains("\"paused\":false");
            assertThat(runner.awaitPosition(noted, WAIT)).isTrue();
            assertThat(customers).contains("carol");

            Cli.Result unknown = Cli.run(command(List.of("projections", "pause", "nope"), storeOptions));
            CliSqliteIT.expect(unknown, 1, "no projection 'nope'");
            Cli.Result malformed = Cli.run(command(List.of("projections", "resume", "tab\there"), storeOptions));
            assertThat(malformed.code()).as(malformed.toString()).isEqualTo(2);
            assertThat(checkpoints.isPaused("nope")).isFalse();
        }
    }

    static String[] command(List<String> words, String[] storeOptions) {
        List<String> all = new ArrayList<>(words);
        all.addAll(List.of(storeOptions));
        return all.toArray(String[]::new);
    }

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("gave up waiting until " + what).isNegative();
            Thread.sleep(10);
        }
    }
}
