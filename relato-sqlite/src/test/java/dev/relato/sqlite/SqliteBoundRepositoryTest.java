package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories in the caller's transaction: loads, decisions and appends through a store bound to a
 * {@link SqliteTransaction} commit with the caller's own table writes, or roll back with them.
 */
class SqliteBoundRepositoryTest {

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

    private final EventSerializer serializer =
            EventSerializer.of(EventTypes.builder().registerSealed(AccountEvent.class).build());

    @TempDir
    Path dir;
    SqliteEventStore store;
    DeciderRepository<Deposit, AccountEvent, Balance> accounts;
    AggregateRootRepository<Account, AccountEvent> roots;

    @BeforeEach
    void open() {
        store = SqliteEventStore.open(dir.resolve("events.db"));
        store.inTransaction(tx -> {
            try (Statement ddl = tx.connection().createStatement()) {
                ddl.execute("CREATE TABLE audit (account TEXT NOT NULL, note TEXT NOT NULL)");
            }
        });
        accounts = DeciderRepository.builder(store, serializer, "Account", AccountEvent.class, ACCOUNT).build();
        roots = AggregateRootRepository.builder(store, serializer, "Account", AccountEvent.class, Account::new).build();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static void audit(Connection connection, String account, String note) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit VALUES (?, ?)")) {
            insert.setString(1, account);
            insert.setString(2, note);
            insert.executeUpdate();
        }
    }

    private int auditRows() {
        return store.callInTransaction(tx -> {
            try (Statement count = tx.connection().createStatement();
                 ResultSet rs = count.executeQuery("SELECT count(*) FROM audit")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Test
    void loadDecideAndAppendCommitWithTheCallersOwnWrites() {
        store.inTransaction(tx -> {
            DeciderRepository<Deposit, AccountEvent, Balance> inTx = accounts.using(store.boundTo(tx));
            inTx.handle("a-1", new Deposit(10));
            assertThat(inTx.handle("a-1", new Deposit(5)).state().amount())
                    .as("the second command loads what the first appended in the transaction").isEqualTo(15);
            audit(tx.connection(), "a-1", "two deposits");

            Account root = roots.using(store.boundTo(tx)).loadOrCreate("a-2", account -> account.deposit(7));
            assertThat(root.version()).isEqualTo(2);
            audit(tx.connection(), "a-2", "opened");
        });

        assertThat(accounts.load("a-1").orElseThrow().state()).isEqualTo(new Balance(true, 15));
        assertThat(roots.load("a-2").orElseThrow().balance).isEqualTo(7);
        assertThat(auditRows()).isEqualTo(2);
    }

    @Test
    void aRollbackDropsTheEventsAndTheCallersWritesTogether() {
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            accounts.using(store.boundTo(tx)).handle("a-1", new Deposit(10));
            roots.using(store.boundTo(tx)).create("a-2", account -> account.deposit(3));
            audit(tx.connection(), "a-1", "deposit");
            throw new IllegalStateException("the caller changes its mind");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the caller changes its mind");

        assertThat(store.exists(StreamId.of("Account", "a-1"))).isFalse();
        assertThat(store.exists(StreamId.of("Account", "a-2"))).isFalse();
        assertThat(store.headPosition()).isZero();
        assertThat(auditRows()).isZero();
    }

    @Test
    void commandsRunInTheCallersTransactionAndRollBackWithIt() {
        CommandBus bus = CommandBus.builder(store).decider(Deposit.class, accounts, deposit -> "a-" + deposit.amount())
                .build();
        store.inTransaction(tx -> {
            bus.using(store.boundTo(tx)).send(new Deposit(1));
            audit(tx.connection(), "a-1", "deposit by command");
        });
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            bus.using(store.boundTo(tx)).send(new Deposit(2));
            throw new IllegalStateException("the caller changes its mind");
        })).hasMessage("the caller changes its mind");

        assertThat(store.exists(StreamId.of("Account", "a-1"))).isTrue();
        assertThat(store.exists(StreamId.of("Account", "a-2"))).as("rolled back with the caller").isFalse();
        assertThat(auditRows()).isEqualTo(1);
    }

    @Test
    void theBoundStoreReadsTheLogAsTheTransactionSeesItAndRunsInlineProjections() {
        Projection<Connection> audited = Projection.<Connection>named("audited")
                .on(AccountEvent.Deposited.class, (connection, e, record, live) ->
                        audit(connection, record.streamId().id(), (live ? "live " : "") + e.amount()))
                .build();
        SqliteProjectingEventStore projecting = SqliteProjectingEventStore.of(store, serializer, List.of(audited));
        store.inTransaction(tx -> {
            EventStore view = projecting.boundTo(tx);
            accounts.using(view).handle("a-1", new Deposit(4));
            assertThat(view.headPosition()).isEqualTo(2);
            assertThat(view.readAll(GlobalRead.fromStart()).toList()).hasSize(2);
            assertThat(store.headPosition()).as("outside the transaction nothing is visible yet").isZero();
            assertThatThrownBy(() -> view.subscribe(0, EventFilter.all(), event -> { }))
                    .isInstanceOf(UnsupportedOperationException.class);
        });
        assertThat(auditRows()).isEqualTo(1);
        assertThat(store.headPosition()).isEqualTo(2);
    }

    @Test
    void aViewIsUsableOnlyInsideItsTransaction() {
        EventStore[] escaped = new EventStore[1];
        store.inTransaction(tx -> escaped[0] = store.boundTo(tx));
        assertThatThrownBy(() -> escaped[0].headPosition()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended");
        try (SqliteEventStore other = SqliteEventStore.open(dir.resolve("other.db"))) {
            store.inTransaction(tx -> assertThatThrownBy(() -> other.boundTo(tx))
                    .isInstanceOf(IllegalArgumentException.class));
        }
    }
}
