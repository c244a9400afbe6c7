package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.projection.Partition;
import dev.relato.projection.ProjectionDaemon;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes (each with its own data source, store, leases and runner threads) run the three partitions of one
 * projection against one database; the node that owns every partition first dies mid-work without releasing
 * its leases, and the others take over from the checkpoints.
 */
class PostgresProjectionNodesTest {
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final long WAIT_NANOS = Duration.ofSeconds(90).toNanos();
    private static final int PARTITIONS = 3;
    private static final String PROJECTION = "ledger";

    record Entry(String account, int amount) {
    }

    /** Thrown by the dying node's handlers: its runner threads end abruptly, leases unreleased. */
    static final class Crash extends Error {
        Crash() {
            super("node killed");
        }
    }

    private static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder().register(Entry.class)
            .build());

    private String schemaName;
    private PostgresSchema schema;
    private final List<Node> nodes = new ArrayList<>();

    /** One process' worth of resources. */
    private final class Node implements AutoCloseable {
        final String id;
        final HikariDataSource pool;
        final PostgresEventStore store;
        final PostgresProjectionLeases leases;
        ProjectionDaemon daemon;

        Node(String id) {
            this.id = id;
            this.pool = TestDatabase.pool(schemaName + "_" + id, 8);
            this.store = PostgresEventStore.builder().dataSource(pool).schema(schemaName).build();
            this.leases = new PostgresProjectionLeases(pool, schema, id);
        }

        void start(Projection<Connection> projection) {
            PostgresProjectionTransactions transactions = new PostgresProjectionTransactions(pool, schema).fencedBy(leases);
            daemon = ProjectionDaemon.builder()
                    .addPartitioned(ProjectionRunner.builder(projection, store, SERIALIZER).transactions(transactions)
                            .leases(leases, LEASE).batchSize(10).pollInterval(Duration.ofMillis(100)), PARTITIONS)
                    .start();
        }

        @Override
        public void close() {
            if (daemon != null) {
                daemon.close();
            }
            store.close();
            pool.close();
        }
    }

    @BeforeEach
    void createSchema() {
        schemaName = TestDatabase.newSchema("nodes");
        schema = PostgresSchema.of(schemaName);
        try (HikariDataSource setup = TestDatabase.pool(schemaName, 1)) {
            schema.migrate(setup);
        }
        TestDatabase.execute("CREATE TABLE \"" + schemaName + "\".handled (position bigint NOT NULL, stream text NOT NULL,"
                + " node text NOT NULL)");
    }

    @AfterEach
    void dropSchema() {
        nodes.forEach(Node::close);
        TestDatabase.dropSchema(schemaName);
    }

    private Projection<Connection> ledger(String node, AtomicBoolean dead, int dieAfter) {
        AtomicInteger handled = new AtomicInteger();
        String insert = "INSERT INTO \"" + schemaName + "\".handled (position, stream, node) VALUES (?, ?, ?)";
        return Projection.<Connection>named(PROJECTION)
                .on(Entry.class, (sql, e, rec) -> {
                    if (dead.get() || handled.incrementAndGet() == dieAfter) {
                        dead.set(true);
                        throw new Crash();
                    }
                    try (PreparedStatement ps = sql.prepareStatement(insert)) {
                        ps.setLong(1, rec.position());
                        ps.setString(2, rec.streamId().toString());
                        ps.setString(3, node);
                        ps.executeUpdate();
                    }
                })
                .categories("Account")
                .build();
    }

    @Test
    void everyEventIsHandledOnceByOneNodeAtATimeAndADeadNodesPartitionsAreTakenOver() throws Exception {
        Node doomed = new Node("node-doomed");
        Node second = new Node("node-second");
        Node third = new Node("node-third");
        nodes.addAll(List.of(doomed, second, third));
        for (Node node : nodes) {
            node.store.migrate();
        }

        int appended = append(doomed, 0, 60);
        AtomicBoolean doomedDead = new AtomicBoolean();
        doomed.start(ledger(doomed.id, doomedDead, 45));
        awaitUntil(() -> ownersOfAllPartitions(doomed).equals(List.of(doomed.id, doomed.id, doomed.id)));
        second.start(ledger(second.id, new AtomicBoolean(), Integer.MAX_VALUE));
        third.start(ledger(third.id, new AtomicBoolean(), Integer.MAX_VALUE));

        appended += append(second, 60, 300);
        int expected = appended;
        awaitUntil(() -> count("SELECT count(DISTINCT position) FROM \"" + schemaName + "\".handled") == expected);

        assertThat(doomedDead).isTrue();
        assertThat(doomed.daemon.statuses()).anyMatch(status -> status.state() == ProjectionState.FAILED);
        assertThat(second.daemon.statuses()).extracting(ProjectionStatus::name).containsExactly("ledger#0/3",
                "ledger#1/3", "ledger#2/3");
        assertThat(count("SELECT count(*) FROM \"" + schemaName + "\".handled")).as("no event handled twice")
                .isEqualTo(expected);
        Map<Integer, List<String[]>> byPartition = handledByPartition();
        assertThat(byPartition.values().stream().mapToInt(List::size).sum()).isEqualTo(expected);
        assertThat(byPartition.values().stream().flatMap(List::stream).map(row -> row[1]))
                .contains(doomed.id).containsAnyOf(second.id, third.id);
        for (List<String[]> rows : byPartition.values()) {
            // In position order, a partition's events were handled by the dying node, then by the nodes that took
            // over: never by the dying node after another one.
            int firstOther = 0;
            while (firstOther < rows.size() && rows.get(firstOther)[1].equals(doomed.id)) {
                firstOther++;
            }
            assertThat(rows.subList(firstOther, rows.size())).noneMatch(row -> row[1].equals(doomed.id));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            String name = new Partition(p, PARTITIONS).checkpointName(PROJECTION);
            assertThat(doomed.store.checkpoints().load(name)).isPositive();
        }
        assertThat(ownersOfAllPartitions(second)).doesNotContain(doomed.id);
    }

    private int append(Node node, int from, int to) {
        for (int i = from; i < to; i++) {
            StreamId account = StreamId.of("Account", "a-" + (i % 30));
            node.store.append(account, ExpectedVersion.any(), List.of(SERIALIZER.serialize(new Entry(account.id(), i))));
        }
        return to - from;
    }

    private List<String> ownersOfAllPartitions(Node node) {
        List<String> owners = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            owners.add(node.leases.owner(new Partition(p, PARTITIONS).checkpointName(PROJECTION)).orElse("none"));
        }
        return owners;
    }

    /** Rows of the handled table by the partition of their stream, in position order: {position, node}. */
    private Map<Integer, List<String[]>> handledByPartition() throws SQLException {
        Map<Integer, List<String[]>> rows = new HashMap<>();
        try (Connection c = nodes.get(1).pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT position, stream, node FROM \"" + schemaName
                     + "\".handled ORDER BY position")) {
            while (rs.next()) {
                StreamId stream = StreamId.parse(rs.getString(2));
                for (int p = 0; p < PARTITIONS; p++) {
                    if (new Partition(p, PARTITIONS).owns(stream)) {
                        rows.computeIfAbsent(p, k -> new ArrayList<>()).add(new String[] {rs.getString(1), rs.getString(3)});
                    }
                }
            }
        }
        return rows;
    }

    private long count(String query) {
        try (Connection c = nodes.get(1).pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query + " failed", e);
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("condition still false after the wait").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
