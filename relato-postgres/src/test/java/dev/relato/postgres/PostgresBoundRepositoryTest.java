package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.StreamId;
import dev.relato.aggregate.AggregateRoot;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.aggregate.Decider;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.command.CommandBus;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Repositories in the caller's transaction: loads, decisions and appends through a store bound to the caller's
 * connection commit with the caller's own table writes, or roll back with them.
 */
class PostgresBoundRepositoryTest {

    sealed interface AccountEvent {
        record Opened(String owner) implements AccountEvent {
        }

        record Deposited(long amount) implements AccountEvent {
        }
    }

    record Deposit(long amount) {
    }

    record Balance(boolean open, long amount) {
    }

    private static final Decider<Deposit, AccountEvent, Balance> ACCOUNT = Decider.of(() -> new Balance(false, 0),
            (deposit, balance) -> balance.open() ? List.of(new AccountEvent.Deposited(deposit.amount()))
                    : List.of(new AccountEvent.Opened("owner"), new AccountEvent.Deposited(deposit.amount())),
            (balance, event) -> event instanceof AccountEvent.Deposited d
                    ? new Balance(true, balance.amount() + d.amount()) : new Balance(true, balance.amount()));

    /** The account as an aggregate root. */
    static final class Account extends AggregateRoot<AccountEvent> {
        private long balance;

        void deposit(long amount) {
            if (version() == 0 && !hasUncommittedEvents()) {
                raise(new AccountEvent.Opened("owner"));
            }
            raise(new AccountEvent.Deposited(amount));
        }

        @Override
        protected void apply(AccountEvent event) {
            if (event instanceof AccountEvent.Deposited d) {
                balance += d.amount();
            }
        }
    }

    private static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(AccountEvent.class).build());
    private static String schema;
    private static HikariDataSource pool;
    private static PostgresEventStore store;
    private DeciderRepository<Deposit, AccountEvent, Balance> accounts;
    private AggregateRootRepository<Account, AccountEvent> roots;
    private String prefix;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("bound");
        pool = TestDatabase.pool(schema, 4);
        store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
        try (Connection c = pool.getConnection(); Statement ddl = c.createStatement()) {
            ddl.execute("CREATE TABLE " + schema + ".audit (account text NOT NULL, note text NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    @BeforeEach
    void repositories() {
        accounts = DeciderRepository.builder(store, SERIALIZER, "Account", AccountEvent.class, ACCOUNT).build();
        roots = AggregateRootRepository.builder(store, SERIALIZER, "Account", AccountEvent.class, Account::new).build();
        prefix = java.util.UUID.randomUUID() + "-";
    }

    private static void audit(Connection connection, String account, String note) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + schema + ".audit VALUES (?, ?)")) {
            insert.setString(1, account);
            insert.setString(2, note);
            insert.executeUpdate();
        }
    }

    private int auditRows(String accountPrefix) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + schema + ".audit WHERE account LIKE ?")) {
            count.setString(1, accountPrefix + "%");
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void loadDecideAndAppendCommitWithTheCallersOwnWrites() throws SQLException {
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            DeciderRepository<Deposit, AccountEvent, Balance> inTx = accounts.using(store.boundTo(tx));
            inTx.handle(prefix + "a-1", new Deposit(10));
            assertThat(inTx.handle(prefix + "a-1", new Deposit(5)).state().amount())
                    .as("the second command loads what the first appended in the transaction").isEqualTo(15);
            audit(tx, prefix + "a-1", "two deposits");
            Account root = roots.using(store.boundTo(tx)).loadOrCreate(prefix + "a-2", account -> account.deposit(7));
            assertThat(root.version()).isEqualTo(2);
            audit(tx, prefix + "a-2", "opened");
            assertThat(store.exists(StreamId.of("Account", prefix + "a-1")))
                    .as("nothing is visible outside the transaction before it commits").isFalse();
            tx.commit();
        }
        assertThat(accounts.load(prefix + "a-1").orElseThrow().state()).isEqualTo(new Balance(true, 15));
        assertThat(roots.load(prefix + "a-2").orElseThrow().balance).isEqualTo(7);
        assertThat(auditRows(prefix)).isEqualTo(2);
    }

    @Test
    void aRollbackDropsTheEventsAndTheCallersWritesTogether() throws SQLException {
        long head = store.headPosition();
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            accounts.using(store.boundTo(tx)).handle(prefix + "a-1", new Deposit(10));
            roots.using(store.boundTo(tx)).create(prefix + "a-2", account -> account.deposit(3));
            audit(tx, prefix + "a-1", "deposit");
            tx.rollback();
        }
        assertThat(store.exists(StreamId.of("Account", prefix + "a-1"))).isFalse();
        assertThat(store.exists(StreamId.of("Account", prefix + "a-2"))).isFalse();
        assertThat(store.headPosition()).isEqualTo(head);
        assertThat(auditRows(prefix)).isZero();
    }

    @Test
    void commandsRunInTheCallersTransactionAndRollBackWithIt() throws SQLException {
        CommandBus bus = CommandBus.builder(store)
                .decider(Deposit.class, accounts, deposit -> prefix + "a-" + deposit.amount()).build();
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            bus.using(store.boundTo(tx)).send(new Deposit(1));
            audit(tx, prefix + "a-1", "deposit by command");
            tx.commit();
            bus.using(store.boundTo(tx)).send(new Deposit(2));
            tx.rollback();
        }
        assertThat(store.exists(StreamId.of("Account", prefix + "a-1"))).isTrue();
        assertThat(store.exists(StreamId.of("Account", prefix + "a-2"))).as("rolled back with the caller").isFalse();
        assertThat(auditRows(prefix)).isEqualTo(1);
    }

    @Test
    void theBoundStoreRunsInlineProjectionsInTheTransactionAndCannotSubscribe() throws Exception {
        Projection<Connection> audited = Projection.<Connection>named("audited")
                .on(AccountEvent.Deposited.class, (connection, e, record, live) ->
                        audit(connection, record.streamId().id(), (live ? "live " : "") + e.amount()))
                .build();
        PostgresProjectingEventStore projecting = PostgresProjectingEventStore.of(store, pool, SERIALIZER,
                List.of(audited));
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            EventStore view = projecting.boundTo(tx);
            accounts.using(view).handle(prefix + "a-1", new Deposit(4));
            assertThat(view.read(StreamId.of("Account", prefix + "a-1"))).hasSize(2);
            assertThat(view.streamVersion(StreamId.of("Account", prefix + "a-1"))).isEqualTo(2);
            assertThat(view.readAll(GlobalRead.fromStart()).toList())
                    .as("the log shows what every reader can see: not this transaction's appends yet")
                    .noneMatch(e -> e.streamId().id().startsWith(prefix));
            assertThat(view.awaitHead(Long.MAX_VALUE - 1, Duration.ofHours(1))).as("returns at once")
                    .isEqualTo(view.headPosition());
            assertThatThrownBy(() -> view.subscribe(0, EventFilter.all(), event -> { }))
                    .isInstanceOf(UnsupportedOperationException.class);
            tx.commit();
        }
        assertThat(auditRows(prefix)).isEqualTo(1);
        assertThat(store.read(StreamId.of("Account", prefix + "a-1"))).hasSize(2);
    }
}
