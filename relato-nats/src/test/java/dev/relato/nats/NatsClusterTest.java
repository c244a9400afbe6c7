package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.test.contract.ChildJvm;
import io.nats.client.Connection;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NATS store on a JetStream cluster of three nats-server processes of the test's own, every stream and bucket
 * with three replicas: the stream's leader killed (SIGKILL) under four writers, a follower killed, a killed node
 * restarted, reads that must not be stale, a projection in three JVMs whose lease holder is killed, a rolling
 * restart under load, and replica counts checked against the cluster. The tests share one cluster and leave all its
 * nodes running. Skipped without {@code /usr/sbin/nats-server}, failed under {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(NatsClusterTest.class);
    private static final int WRITERS = 4;

    private NatsCluster cluster;
    private Connection admin;

    @BeforeEach
    void allNodesRunning() throws Exception {
        if (cluster == null) {
            cluster = NatsCluster.start(3); // here, not in class set-up, so that a missing binary skips each test
            admin = cluster.connect();
        }
        for (String name : cluster.names()) {
            if (!cluster.node(name).isRunning()) {
                cluster.node(name).restart();
            }
        }
        cluster.awaitFormed(); // and JetStream has a meta leader again after what the last test did
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A store on these servers with three replicas. */
    private static NatsEventStore.Builder on(String urls, String stream) {
        return NatsEventStore.builder().url(urls).streamName(stream).replicas(3);
    }

    private static NatsEventStore store(String urls, String stream) {
        return on(urls, stream).build();
    }

    /** A store that talks to this node only, whatever the other nodes do; closing it closes the connection too. */
    private static final class OneNodeStore implements AutoCloseable {
        final Connection connection;
        final NatsEventStore store;

        OneNodeStore(OwnNatsServer node, String stream, Duration requestTimeout) throws Exception {
            connection = NatsCluster.connectOnly(node.url());
            store = NatsEventStore.builder().connection(connection).streamName(stream).replicas(3)
                    .requestTimeout(requestTimeout).build();
        }

        @Override
        public void close() throws InterruptedException {
            store.close();
            connection.close();
        }
    }

    @Test
    void everyAppendAcknowledgedBeforeTheLeaderIsKilledIsStoredOnceAndWritersGoOn() throws Exception {
        double single = singleServerRate();
        String stream = NatsTestServer.uniqueName("relato-failover");
        List<Connection> pinned = new ArrayList<>();
        try (NatsEventStore reader = store(cluster.urls(), stream)) {
            String leader = cluster.awaitCaughtUp(admin, stream);
            try (AppendingWriters writers = AppendingWriters.start(WRITERS, "Failover", w -> w % 2 == 0
                    ? on(cluster.urls(), stream)
                    : NatsEventStore.builder().connection(pinnedTo(leader, pinned)).streamName(stream).replicas(3))) {
                writers.awaitMore(10);
                double replicated = writers.eventRate(Duration.ofSeconds(3));
                LOG.info("killing {}, the leader of stream {}, after {} appends", leader, stream, writers.acknowledged());
                cluster.node(leader).kill();
                writers.awaitMore(25); // each writer, also those connected to the killed node
                String elected = cluster.leaderOf(admin, stream);
                List<AppendingWriters.Outcome> outcomes = writers.stop();

                assertThat(elected).isNotEqualTo(leader);
                writers.verify(reader, outcomes);
                LOG.info("figures: {} writers append {} events/s to one server and {} events/s to a 3-node cluster "
                                + "(3 replicas); the longest append took {} ms through the leader's failover",
                        WRITERS, Math.round(single), Math.round(replicated), writers.longestStall().toMillis());
            }
        } finally {
            for (Connection connection : pinned) {
                connection.close();
            }
        }
    }

    /** A connection to {@code node} first, which reconnects to the other nodes when it goes. */
    private Connection pinnedTo(String node, List<Connection> opened) {
        try {
            List<String> urls = new ArrayList<>(List.of(cluster.node(node).url()));
            cluster.names().stream().filter(n -> !n.equals(node)).forEach(n -> urls.add(cluster.node(n).url()));
            Connection connection = NatsCluster.connectInOrder(urls);
            opened.add(connection);
            return connection;
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to " + node, e);
        }
    }

    /** The rate of the same writers on one nats-server of the test's own, for the figures beside the cluster's. */
    private double singleServerRate() throws Exception {
        try (OwnNatsServer server = OwnNatsServer.start();
             NatsEventStore reader = NatsEventStore.builder().url(server.url()).streamName("relato-single").build();
             AppendingWriters writers = AppendingWriters.start(WRITERS, "Single",
                     w -> NatsEventStore.builder().url(server.url()).streamName("relato-single"))) {
            writers.awaitMore(10);
            double rate = writers.eventRate(Duration.ofSeconds(3));
            writers.verify(reader, writers.stop());
            return rate;
        }
    }

    @Test
    void appendsGoOnWithoutErrorWhenANodeThatLeadsNothingIsKilled() throws Exception {
        String stream = NatsTestServer.uniqueName("relato-follower");
        try (NatsEventStore reader = store(cluster.urls(), stream)) {
            String victim = nodeLeadingNothing(stream);
            try (AppendingWriters writers = AppendingWriters.start(WRITERS, "Follower",
                    w -> on(urlsWithout(victim), stream))) {
                writers.awaitMore(10);
                int failures = writers.failures();
                cluster.node(victim).kill();
                writers.awaitMore(25);
                List<AppendingWriters.Outcome> outcomes = writers.stop();

                assertThat(writers.failures()).as("failed appends after %s was killed", victim).isEqualTo(failures);
                writers.verify(reader, outcomes);
            }
        }
    }

    @Test
    void aKilledNodeRestartedCatchesUpAndServesReads() throws Exception {
        String stream = NatsTestServer.uniqueName("relato-catch-up");
        try (NatsEventStore setup = store(cluster.urls(), stream)) {
            String victim = nodeLeadingNothing(stream);
            try (AppendingWriters writers = AppendingWriters.start(WRITERS, "CatchUp",
                    w -> on(urlsWithout(victim), stream))) {
                writers.awaitMore(5);
                cluster.node(victim).kill();
                writers.awaitMore(40); // appends the victim misses
                cluster.node(victim).restart();
                writers.awaitMore(5);
                List<AppendingWriters.Outcome> outcomes = writers.stop();
                cluster.awaitCaughtUp(admin, stream);
                cluster.awaitCaughtUp(admin, "KV_" + stream + "-event-ids");
                cluster.moveLeader(admin, stream, victim);
                try (OneNodeStore fromVictim = new OneNodeStore(cluster.node(victim), stream, Duration.ofSeconds(5))) {
                    writers.verify(fromVictim.store, outcomes);
                }
            }
        }
    }

    @Test
    void readsThatNeedTheLatestStateAreNeverStale() throws Exception {
        String stream = NatsTestServer.uniqueName("relato-stale");
        StreamId order = StreamId.of("Order", "1");
        try (NatsEventStore writer = store(cluster.urls(), stream)) {
            writer.append(order, ExpectedVersion.noStream(), events(5));
            writer.checkpoints().save("orders", 5);
            String lagging = nodeLeadingNothing(stream);
            try (OneNodeStore lone = new OneNodeStore(cluster.node(lagging), stream, Duration.ofSeconds(1))) {
                NatsEventStore stale = lone.store;
                NatsCheckpointStore staleCheckpoints = stale.checkpoints();
                cluster.awaitCaughtUp(admin, "KV_" + stream + "-checkpoints");
                cluster.node(lagging).kill();
                List<EventData> more = events(5);
                awaitAvailable(() -> writer.append(order, ExpectedVersion.exactly(5), more));
                awaitAvailable(() -> {
                    writer.checkpoints().save("orders", 10);
                    return true;
                });

                // The lagging node alone holds versions 1 to 5 and checkpoint 5: it must not answer with them.
                for (String name : cluster.names()) {
                    if (!name.equals(lagging)) {
                        cluster.node(name).kill();
                    }
                }
                cluster.node(lagging).restart();
                assertThatThrownBy(() -> stale.streamVersion(order)).isInstanceOf(StoreUnavailableException.class);
                assertThatThrownBy(() -> stale.read(order)).isInstanceOf(StoreUnavailableException.class);
                assertThatThrownBy(() -> stale.append(order, ExpectedVersion.exactly(5), events(1)))
                        .isInstanceOf(StoreUnavailableException.class);
                assertThatThrownBy(() -> staleCheckpoints.load("orders")).isInstanceOf(StoreUnavailableException.class);

                for (String name : cluster.names()) {
                    if (!name.equals(lagging)) {
                        cluster.node(name).restart();
                    }
                }
                cluster.awaitCaughtUp(admin, stream);
                assertThat(awaitAvailable(() -> stale.streamVersion(order))).isEqualTo(10);
                assertThat(awaitAvailable(() -> staleCheckpoints.load("orders"))).isEqualTo(10);
                assertThat(stale.read(order)).hasSize(10);
            }
        }
    }

    @Test
    void aWriteThroughOneNodeIsSeenAtOnceThroughAnotherThatIsCatchingUp() throws Exception {
        String stream = NatsTestServer.uniqueName("relato-read-your-writes");
        StreamId order = StreamId.of("Order", "1");
        try (NatsEventStore setup = store(cluster.urls(), stream)) {
            String lagging = nodeLeadingNothing(stream);
            String leader = cluster.leaderOf(admin, stream);
            try (NatsEventStore writer = store(cluster.node(leader).url(), stream);
                 OneNodeStore lone = new OneNodeStore(cluster.node(lagging), stream, Duration.ofSeconds(5))) {
                NatsEventStore reader = lone.store;
                cluster.node(lagging).kill();
                for (int v = 0; v < 200; v += 10) {
                    writer.append(order, ExpectedVersion.exactly(v), events(10));
                }
                cluster.node(lagging).restart();
                for (int v = 200; v < 300; v++) { // while the restarted node catches up
                    RecordedEvent written = writer.append(order, ExpectedVersion.exactly(v), events(1)).events().get(0);
                    long version = awaitAvailable(() -> reader.streamVersion(order));
                    assertThat(version).as("version read right after appending version %s", v + 1).isEqualTo(v + 1);
                    assertThat(reader.read(order, StreamRead.backwards().limit(1))).containsExactly(written);
                }
            }
        }
    }

    @Test
    void aProjectionInThreeProcessesIsTakenOverWhenItsLeaseHolderIsKilled() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        String stream = NatsTestServer.uniqueName("relato-ledger");
        String modelBucket = stream + "-model";
        List<String> accounts = IntStream.range(0, 20).mapToObj(i -> "a-" + i).toList();
        Path logs = Files.createTempDirectory("relato-projection-nodes");
        Map<String, ChildJvm> nodes = new LinkedHashMap<>();
        ExecutorService appender = Executors.newSingleThreadExecutor();
        try (NatsEventStore store = store(cluster.urls(), stream); Connection modelConnection = cluster.connect()) {
            LedgerModel.create(modelConnection, modelBucket);
            LedgerModel model = new LedgerModel(modelConnection, modelBucket);
            append(store, accounts, 0, 200);
            for (int n = 1; n <= 3; n++) {
                String node = "node-" + n;
                nodes.put(node, ChildJvm.start(node, ProjectionNode.class, logs.resolve(node + ".log"),
                        List.of(cluster.urls(), stream, node, Long.toString(lease.toMillis()), modelBucket)));
            }
            for (ChildJvm node : nodes.values()) {
                node.awaitLine("READY", Duration.ofSeconds(90));
            }
            NatsProjectionLeases observer = store.leases("observer");
            String holder = await("a node holds the lease", () -> observer.owner("ledger"));
            for (ChildJvm node : nodes.values()) {
                if (!node.name().equals(holder)) {
                    node.awaitLine("STATE STANDBY", NatsCluster.FORMING);
                }
            }
            Future<?> appending = appender.submit(() -> append(store, accounts, 200, 600));
            await("the holder is handling the second batch", () -> handled(model, accounts) > 300
                    ? Optional.of(true) : Optional.empty());

            long killed = System.nanoTime();
            nodes.get(holder).kill();
            String successor = await("another node holds the lease", () -> observer.owner("ledger")
                    .filter(owner -> !owner.equals(holder)), lease.multipliedBy(2));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            appending.get();
            append(store, accounts, 600, 700);

            Map<String, LedgerModel.Row> expected = onePassBuild(store);
            await("the read model equals a one-pass build of the log", () -> model.rows(accounts).equals(expected)
                    ? Optional.of(true) : Optional.empty());
            assertThat(nodes.keySet()).contains(successor);
            assertThat(nodes.get(successor).isAlive()).isTrue();
            assertThat(store.checkpoints().load("ledger")).isPositive();
            LOG.info("figures: lease {} s; {} took over from {} (killed) {} ms after the kill", lease.toSeconds(),
                    successor, holder, takeover.toMillis());
            TestFiles.deleteTree(logs); // kept when the test fails, for a look at the nodes' logs
        } finally {
            appender.shutdownNow();
            for (ChildJvm node : nodes.values()) {
                node.close();
            }
        }
    }

    @Test
    void aRollingRestartUnderLoadLosesNothing() throws Exception {
        String stream = NatsTestServer.uniqueName("relato-rolling");
        try (NatsEventStore reader = store(cluster.urls(), stream);
             AppendingWriters writers = AppendingWriters.start(WRITERS, "Rolling",
                     w -> on(cluster.urls(), stream))) {
            writers.awaitMore(10);
            for (String name : cluster.names()) {
                LOG.info("rolling restart: stopping {}", name);
                cluster.node(name).stop();
                writers.awaitMore(10);
                cluster.node(name).restart();
                cluster.awaitCaughtUp(admin, stream);
                cluster.awaitCaughtUp(admin, "KV_" + stream + "-event-ids");
                writers.awaitMore(10);
            }
            List<AppendingWriters.Outcome> outcomes = writers.stop();
            writers.verify(reader, outcomes);
        }
    }

    @Test
    void replicaCountsAreCheckedAgainstWhatTheClusterHas() throws Exception {
        String single = NatsTestServer.uniqueName("relato-one-replica");
        NatsEventStore.builder().url(cluster.urls()).streamName(single).replicas(1).build().close();
        assertThatThrownBy(() -> store(cluster.urls(), single))
                .isInstanceOf(NatsConfigurationException.class)
                .hasMessageContaining("it has 1 replica(s) (cluster relato-test: leader n")
                .hasMessageContaining("but the store is configured for 3")
                .hasMessageContaining("nats stream edit " + single + " --replicas 3");

        String five = NatsTestServer.uniqueName("relato-five-replicas");
        assertThatThrownBy(() -> NatsEventStore.builder().url(cluster.urls()).streamName(five).replicas(5).build())
                .isInstanceOf(NatsConfigurationException.class).hasMessageContaining("5 replica(s)");

        String stream = NatsTestServer.uniqueName("relato-bucket-replicas");
        admin.keyValueManagement().create(KeyValueConfiguration.builder().name(stream + "-snapshots")
                .maxHistoryPerKey(1).storageType(StorageType.File).replicas(1).build());
        try (NatsEventStore store = store(cluster.urls(), stream)) {
            assertThatThrownBy(store::snapshots).isInstanceOf(NatsConfigurationException.class)
                    .hasMessageContaining(stream + "-snapshots")
                    .hasMessageContaining("nats stream edit KV_" + stream + "-snapshots --replicas 3");
            assertThat(store.checkpoints().bucket()).isEqualTo(stream + "-checkpoints");
            assertThat(admin.keyValueManagement().getStatus(stream + "-checkpoints").getReplicas()).isEqualTo(3);
            assertThat(admin.keyValueManagement().getStatus(stream + "-event-ids").getReplicas()).isEqualTo(3);
        }
    }

    /** A node that leads neither the stream, nor its event id claims, nor its truncations (every read asks them). */
    private String nodeLeadingNothing(String stream) throws IOException, InterruptedException {
        Set<String> leaders = new HashSet<>();
        String streamLeader = cluster.awaitCaughtUp(admin, stream);
        leaders.add(streamLeader);
        leaders.add(cluster.awaitCaughtUp(admin, "KV_" + stream + "-event-ids"));
        if (leaders.size() > 1) { // three streams on three nodes: make one node lead two of them
            cluster.moveLeader(admin, "KV_" + stream + "-truncations", streamLeader);
        }
        leaders.add(cluster.awaitCaughtUp(admin, "KV_" + stream + "-truncations"));
        return cluster.names().stream().filter(n -> !leaders.contains(n)).findFirst().orElseThrow();
    }

    private String urlsWithout(String node) {
        return String.join(",", cluster.names().stream().filter(n -> !n.equals(node))
                .map(n -> cluster.node(n).url()).toList());
    }

    private static List<EventData> events(int count) {
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(EventData.of("Happened", "{\"i\":" + i + "}"));
        }
        return events;
    }

    /** Appends entries {@code from} to {@code to} (exclusive), spread over the accounts. */
    private static Void append(NatsEventStore store, List<String> accounts, int from, int to) {
        for (int i = from; i < to; i++) {
            String account = accounts.get(i % accounts.size());
            store.append(StreamId.of(LedgerModel.CATEGORY, account), ExpectedVersion.any(),
                    List.of(LedgerModel.SERIALIZER.serialize(new LedgerModel.Entry(account, i))));
        }
        return null;
    }

    /** The number of events the model has handled: the sum of its accounts' versions. */
    private static long handled(LedgerModel model, List<String> accounts) throws Exception {
        return model.rows(accounts).values().stream().mapToLong(LedgerModel.Row::version).sum();
    }

    /** The ledger built in one pass over the log. */
    private static Map<String, LedgerModel.Row> onePassBuild(NatsEventStore store) {
        Map<String, LedgerModel.Row> rows = new LinkedHashMap<>();
        try (var log = store.readAll(GlobalRead.fromStart())) {
            log.filter(e -> e.streamId().category().equals(LedgerModel.CATEGORY)).forEach(e -> {
                LedgerModel.Entry entry = (LedgerModel.Entry) LedgerModel.SERIALIZER.deserialize(e);
                LedgerModel.Row row = rows.getOrDefault(entry.account(), new LedgerModel.Row(0, 0));
                rows.put(entry.account(), new LedgerModel.Row(e.streamVersion(), row.total() + entry.amount()));
            });
        }
        return rows;
    }

    /**
     * A call that may fail transiently while the cluster elects leaders, retried until it succeeds (bounded); an
     * append retried this way keeps its event ids, so it is stored once.
     */
    private static <T> T awaitAvailable(Probe<T> read) throws Exception {
        return await("an answer", () -> {
            try {
                return Optional.of(read.get());
            } catch (StoreUnavailableException e) {
                return Optional.empty();
            }
        });
    }

    @FunctionalInterface
    private interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T await(String what, Probe<Optional<T>> probe) throws Exception {
        return await(what, probe, NatsCluster.FORMING);
    }

    private static <T> T await(String what, Probe<Optional<T>> probe, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<T> answer = probe.get();
            if (answer.isPresent()) {
                return answer.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up after " + limit + " waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
