package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.command.CommandBus;
import dev.relato.process.InMemoryDeadlineStore;
import dev.relato.process.ProcessEngine;
import dev.relato.test.contract.ShopWorkflow.Confirm;
import dev.relato.test.contract.ShopWorkflow.Fulfilment;
import dev.relato.test.contract.ShopWorkflow.Pay;
import dev.relato.test.contract.ShopWorkflow.Restock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a process manager promises when the operating system process that runs it dies, as a JUnit 5 suite: real
 * JVMs ({@link WorkflowNode}) run the fulfilment workflow of {@link ProcessManagerContract} on one store and are
 * killed with SIGKILL. A JVM killed right before any one of the workflow's writes (a deadline scheduled, cancelled
 * or removed, a command sent, a checkpoint saved) and started again leaves every command applied exactly once; a
 * deadline that fell due while no JVM ran fires once after restart; three JVMs sharing the work by lease, one of
 * them killed mid-run, fire every deadline and apply every step once.
 *
 * <p>A store module extends it with a {@code main} class that opens the store at the location in its first
 * argument and hands it to {@link WorkflowNode#run} with the store's deadlines, checkpoints and leases for the node
 * named in its second argument, passing the remaining arguments as options.
 */
public abstract class ProcessCrashContract {
    /** How long a node may take to print a line, and the nodes together to make progress. */
    private static final Duration RUN = Duration.ofMinutes(3);
    /** How long the nodes may take in all while they make progress. */
    private static final Duration LONGEST = Duration.ofMinutes(10);
    private static final int LOG_TAIL = 40;

    @TempDir
    Path logs;

    private final List<String> locations = new ArrayList<>();

    /** For the subclass of a store module. */
    protected ProcessCrashContract() {
    }

    /** A new, empty store's location, in the form the {@link #nodeMain()} takes (a file, a schema, a stream). */
    protected abstract String newLocation();

    /** The store at {@code location}, ready to use (migrated); the suite closes it. */
    protected abstract EventStore open(String location);

    /** The main class of a workflow JVM on this store: opens the location and calls {@link WorkflowNode#run}. */
    protected abstract Class<?> nodeMain();

    /** Removes what a location holds once its test is over; the default does nothing. */
    protected void drop(String location) {
    }

    @AfterEach
    final void dropLocations() {
        locations.forEach(this::drop);
    }

    @Test
    void aNodeKilledBeforeAnyOneOfItsWritesAndStartedAgainAppliesEveryCommandOnce() throws Exception {
        String clean = seeded();
        String done = runToEnd(clean, "clean", "P1D");
        assertOrderOutcomes(clean, "without a crash");
        int writes = Integer.parseInt(done.substring("done ".length()));
        assertThat(writes).as("writes of a run").isGreaterThan(10);

        for (int crashAt = 1; crashAt <= writes; crashAt++) {
            String location = seeded();
            String point;
            try (ChildJvm crashing = node(location, "crash-" + crashAt, "--crash-before", String.valueOf(crashAt),
                    "--clock-offset", "P1D")) {
                point = crashing.awaitLineStartingWith("crash-point " + crashAt + " ", RUN);
                crashing.kill();
            }
            runToEnd(location, "restart-" + crashAt, "P1D");
            assertOrderOutcomes(location, "killed at " + point + ", then restarted");
            drop(location);
            locations.remove(location);
        }
    }

    @Test
    void aDeadlineDueWhileNoNodeRanFiresOnceAfterRestart() throws Exception {
        String location = fresh();
        try (EventStore store = open(location)) {
            CommandBus bus = ShopWorkflow.bus(store).build();
            bus.send(new Restock("sku-1", 1));
            bus.send(new Confirm("o-1", "sku-1"));
        }
        runToEnd(location, "before", "PT0S");
        assertThat(types(location, "Order", "o-1")).as("not due yet").containsExactly("Confirmed");

        runToEnd(location, "after", "P1D");
        runToEnd(location, "again", "P1D");

        try (EventStore store = open(location)) {
            assertThat(types(store, "Order", "o-1")).containsExactly("Confirmed", "Cancelled");
            assertThat(types(store, "Stock", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
            assertThat(engine(store).finished("o-1")).isTrue();
        }
    }

    @Test
    void threeNodesOneKilledMidRunFireEveryDeadlineAndApplyEveryStepOnce() throws Exception {
        int orders = 20;
        String location = fresh();
        try (EventStore store = open(location)) {
            CommandBus bus = ShopWorkflow.bus(store).build();
            bus.send(new Restock("sku-1", orders));
            IntStream.rangeClosed(1, orders).forEach(i -> bus.send(new Confirm("o-" + i, "sku-1")));
        }
        List<ChildJvm> nodes = new ArrayList<>();
        try {
            ChildJvm doomed = node(location, "node-1", "--serve", "--crash-before", "15", "--clock-offset", "P1D",
                    "--lease", "PT1S");
            nodes.add(doomed);
            doomed.awaitLine("ready", RUN);
            for (String name : List.of("node-2", "node-3")) {
                nodes.add(node(location, name, "--serve", "--clock-offset", "P1D", "--lease", "PT1S"));
            }
            doomed.awaitLineStartingWith("crash-point 15 ", RUN);
            doomed.kill();

            try (EventStore store = open(location)) {
                awaitEveryFulfilment(store, orders, nodes);
            }
        } finally {
            for (ChildJvm node : nodes) {
                node.kill();
            }
        }

        try (EventStore store = open(location)) {
            List<RecordedEvent> stock = store.read(StreamId.of("Stock", "sku-1"));
            for (int i = 1; i <= orders; i++) {
                String order = "o-" + i;
                assertThat(types(store, "Order", order)).as(order).containsExactly("Confirmed", "Cancelled");
                assertThat(count(stock, "Reserved", order)).as("%s reserved", order).isEqualTo(1);
                assertThat(count(stock, "Released", order)).as("%s released by its deadline", order).isEqualTo(1);
                assertThat(types(store, "Fulfilment", order)).as("%s steps", order)
                        .containsExactly("ProcessStep", "ProcessStep");
            }
            assertThat(stock).hasSize(1 + 2 * orders);
        }
    }

    /**
     * Waits until every one of {@code orders} fulfilments has finished and its commands took effect (a step is
     * recorded before its commands are sent), as long as the nodes make progress: fails once nothing changed for
     * {@link #RUN}, or after {@link #LONGEST} in all, with what is missing and the end of each node's log.
     */
    private void awaitEveryFulfilment(EventStore store, int orders, List<ChildJvm> nodes) throws Exception {
        ProcessEngine<Fulfilment> engine = engine(store);
        StreamId stock = StreamId.of("Stock", "sku-1");
        long started = System.nanoTime();
        long progressed = started;
        String seen = "";
        while (true) {
            List<String> open = IntStream.rangeClosed(1, orders).mapToObj(i -> "o-" + i)
                    .filter(order -> !engine.finished(order)).toList();
            long version = store.streamVersion(stock);
            if (open.isEmpty() && version >= 1 + 2L * orders) {
                return;
            }
            String now = "unfinished " + open + ", stock at version " + version + " of " + (1 + 2L * orders);
            long at = System.nanoTime();
            if (!now.equals(seen)) {
                seen = now;
                progressed = at;
            }
            if (at - progressed > RUN.toNanos() || at - started > LONGEST.toNanos()) {
                throw new AssertionError("the fulfilments did not all finish and take effect (no progress for "
                        + Duration.ofNanos(at - progressed).toSeconds() + " s, " + Duration.ofNanos(at - started)
                        .toSeconds() + " s in all): " + now + missingEffects(store, orders) + logTails(nodes));
            }
            Thread.sleep(200);
        }
    }

    /** The orders whose stock was not reserved or not released exactly once, for a failure message. */
    private static String missingEffects(EventStore store, int orders) {
        List<RecordedEvent> stock = store.read(StreamId.of("Stock", "sku-1"));
        StringBuilder missing = new StringBuilder();
        for (String type : List.of("Reserved", "Released")) {
            missing.append("; ").append(type).append(" not once for ").append(IntStream.rangeClosed(1, orders)
                    .mapToObj(i -> "o-" + i).filter(order -> count(stock, type, order) != 1).toList());
        }
        return missing.toString();
    }

    /** The last lines of each node's log, for a failure message. */
    private String logTails(List<ChildJvm> nodes) throws IOException {
        StringBuilder tails = new StringBuilder();
        for (ChildJvm node : nodes) {
            List<String> lines = Files.readAllLines(logs.resolve(node.name() + ".log"));
            tails.append("\n--- ").append(node.name()).append(" (").append(node.isAlive() ? "running" : "ended")
                    .append("), last lines of its log:\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size())));
        }
        return tails.toString();
    }

    /**
     * A store with the inputs of the crash test: o-1 confirmed and paid (reserve, then ship), o-2 confirmed and
     * never paid (reserve, then cancel and release by its deadline), o-3 confirmed without stock (a rejected
     * reservation, compensated by a cancel).
     */
    private String seeded() {
        String location = fresh();
        try (EventStore store = open(location)) {
            CommandBus bus = ShopWorkflow.bus(store).build();
            bus.send(new Restock("sku-1", 10));
            bus.send(new Confirm("o-1", "sku-1"));
            bus.send(new Pay("o-1"));
            bus.send(new Confirm("o-2", "sku-1"));
            bus.send(new Confirm("o-3", "sku-none"));
        }
        return location;
    }

    private void assertOrderOutcomes(String location, String when) {
        try (EventStore store = open(location)) {
            List<RecordedEvent> stock = store.read(StreamId.of("Stock", "sku-1"));
            assertThat(types(store, "Order", "o-1")).as(when).containsExactly("Confirmed", "Paid");
            assertThat(types(store, "Shipment", "o-1")).as(when).containsExactly("Shipped");
            assertThat(types(store, "Order", "o-2")).as(when).containsExactly("Confirmed", "Cancelled");
            assertThat(types(store, "Order", "o-3")).as(when).containsExactly("Confirmed", "Cancelled");
            assertThat(store.exists(StreamId.of("Stock", "sku-none"))).as(when).isFalse();
            assertThat(store.exists(StreamId.of("Shipment", "o-2"))).as(when).isFalse();
            assertThat(count(stock, "Reserved", "o-1")).as(when).isEqualTo(1);
            assertThat(count(stock, "Reserved", "o-2")).as(when).isEqualTo(1);
            assertThat(count(stock, "Released", "o-2")).as(when).isEqualTo(1);
            assertThat(stock).as(when).hasSize(4);
            ProcessEngine<Fulfilment> engine = engine(store);
            for (String order : List.of("o-1", "o-2", "o-3")) {
                assertThat(engine.finished(order)).as("%s finished %s", order, when).isTrue();
            }
        }
    }

    /** Runs a workflow JVM until it has nothing left to do; returns its last line ({@code done <writes>}). */
    private String runToEnd(String location, String name, String clockOffset) throws Exception {
        try (ChildJvm node = node(location, name, "--clock-offset", clockOffset)) {
            return node.awaitLineStartingWith("done ", RUN);
        }
    }

    private ChildJvm node(String location, String name, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(location, name));
        args.addAll(List.of(options));
        return ChildJvm.start(name, nodeMain(), logs.resolve(name + ".log"), args);
    }

    private String fresh() {
        String location = newLocation();
        locations.add(location);
        return location;
    }

    private static ProcessEngine<Fulfilment> engine(EventStore store) {
        return ProcessEngine.builder(ShopWorkflow.FULFILMENT, store, ShopWorkflow.SERIALIZER,
                ShopWorkflow.bus(store).build(), new InMemoryDeadlineStore()).build();
    }

    private List<String> types(String location, String category, String id) {
        try (EventStore store = open(location)) {
            return types(store, category, id);
        }
    }

    private static List<String> types(EventStore store, String category, String id) {
        return store.read(StreamId.of(category, id)).stream().map(RecordedEvent::type).toList();
    }

    /** How many events of {@code type} in {@code events} are about order {@code order}. */
    private static long count(List<RecordedEvent> events, String type, String order) {
        return events.stream().filter(e -> e.type().equals(type) && e.payload().contains("\"" + order + "\""))
                .count();
    }
}
