package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.observe.Health;
import dev.relato.observe.RelatoObserver;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The store's health and the transaction that holds the global log back, named so an operator can end it: on
 * demand, and continuously while subscriptions poll, without anyone asking for the store's health.
 */
class PostgresHealthTest {
    private final HikariDataSource pool = TestDatabase.pool("relato_health", 4);
    private final String schema = TestDatabase.newSchema("health");
    private final List<Duration> heldBack = new CopyOnWriteArrayList<>();
    private final PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema)
            .observer(new RelatoObserver() {
                @Override
                public void readersHeldBack(String name, Duration held) {
                    heldBack.add(held);
                }
            }).build();

    @AfterEach
    void cleanUp() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void healthIsDownOnceThePrivateServerIsStoppedAndNeverThrows() throws Exception {
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.assumeTrue(PrivateServer.available(), "no PostgreSQL binaries to start a private server");
        }
        try (PrivateServer server = PrivateServer.start()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(server.url());
            config.setMaximumPoolSize(2);
            config.setConnectionTimeout(2_000);
            try (HikariDataSource own = new HikariDataSource(config);
                 PostgresEventStore stopped = PostgresEventStore.builder().dataSource(own).build()) {
                stopped.migrate();
                stopped.append(StreamId.of("Order", "o-1"), ExpectedVersion.noStream(),
                        List.of(EventData.of("OrderPlaced", "{}")));
                assertThat(stopped.health(Duration.ofMinutes(1)).up()).isTrue();
                assertThat(Health.of(stopped).up()).isTrue();

                server.stop();

                Health down = stopped.health(Duration.ofMinutes(1));
                assertThat(down.up()).isFalse();
                assertThat(down.detail()).contains("StoreUnavailableException");
                assertThat(Health.of(stopped).up()).isFalse();
            }
        }
    }

    @Test
    void aTransactionHoldingTheLogBackIsNamedUntilItEnds() throws Exception {
        store.migrate();
        assertThat(store.logHoldback()).isEmpty();
        try (Connection blocker = DriverManager.getConnection(TestDatabase.url())) {
            int pid = holdTheLogBack(blocker, "slow");

            assertThat(store.logHoldback()).hasValueSatisfying(h -> {
                assertThat(h.pid()).isEqualTo(pid);
                assertThat(h.applicationName()).isEqualTo("order-importer");
                assertThat(h.state()).isEqualTo("idle in transaction");
                assertThat(h.query()).isNotEmpty();
            });
            assertThat(heldBack).hasSize(1);
            Health lenient = store.health(Duration.ofHours(1));
            assertThat(lenient.up()).isTrue();
            assertThat(lenient.detail()).contains("held back by backend pid " + pid);
            Health strict = store.health(Duration.ZERO);
            assertThat(strict.up()).isFalse();
            assertThat(strict.detail()).contains("pid " + pid, "order-importer", "pg_terminate_backend(" + pid + ")",
                    "idle_in_transaction_session_timeout");
            assertThat(store.headPosition()).isZero();
            blocker.rollback();
        }
        assertThat(store.logHoldback()).isEmpty();
        assertThat(store.health(Duration.ZERO).up()).isTrue();
        assertThat(store.headPosition()).isPositive();
    }

    @Test
    void whileASubscriptionPollsTheHoldBackIsReportedAndItsEndToo() throws Exception {
        store.migrate();
        Subscription subscription = store.subscribe(0, EventFilter.all(), e -> { });
        try (Connection blocker = DriverManager.getConnection(TestDatabase.url())) {
            holdTheLogBack(blocker, "slow");
            awaitTrue(() -> heldBack.stream().anyMatch(d -> d.compareTo(Duration.ZERO) > 0));
            assertThat(heldBack).allSatisfy(d -> assertThat(d).isPositive());
            blocker.rollback();
            awaitTrue(() -> heldBack.get(heldBack.size() - 1).isZero());
        } finally {
            subscription.close();
        }
    }

    @Test
    void theWatchWarnsOncePerBlockingTransactionNamingIt() throws Exception {
        store.migrate();
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("warn")) {
                        warnings.add(String.valueOf(args[0]));
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
        LogHoldbacks watch = new LogHoldbacks(new Sql(new PostgresSchema(schema, "")), RelatoObserver.none(),
                Duration.ZERO, log, Duration.ZERO);
        try (Connection reader = pool.getConnection()) {
            watch.watch(reader, 0);
            assertThat(warnings).isEmpty();
            for (int episode = 1; episode <= 2; episode++) {
                try (Connection blocker = DriverManager.getConnection(TestDatabase.url())) {
                    int pid = holdTheLogBack(blocker, "slow-" + episode);
                    for (int check = 0; check < 3; check++) {
                        watch.watch(reader, 0);
                    }
                    assertThat(warnings).hasSize(episode);
                    assertThat(warnings.get(episode - 1)).contains("backend pid " + pid, "order-importer",
                            "pg_terminate_backend(" + pid + ")");
                    blocker.rollback();
                }
                watch.watch(reader, 0);
                assertThat(warnings).hasSize(episode);
            }
        }
    }

    /** Leaves an append open in {@code blocker}'s transaction and commits one after it; returns its backend pid. */
    private int holdTheLogBack(Connection blocker, String stream) throws Exception {
        int pid;
        try (Statement s = blocker.createStatement()) {
            s.execute("SET application_name = 'order-importer'");
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
        }
        blocker.setAutoCommit(false);
        store.append(blocker, StreamId.of("Order", stream), ExpectedVersion.noStream(),
                List.of(EventData.of("OrderPlaced", "{}")));
        store.append(StreamId.of("Order", stream + "-after"), ExpectedVersion.noStream(),
                List.of(EventData.of("OrderPlaced", "{}")));
        return pid;
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
