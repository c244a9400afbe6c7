package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventStore;
import dev.relato.StreamId;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionState;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import dev.relato.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The starter on SQLite with its own transaction manager: appends inside {@code @Transactional} methods and
 * {@link TransactionTemplate} commit or roll back with the application's own SQL on the transaction's connection,
 * inline projections commit with the append, a projection bean runs with the context.
 */
@SpringBootTest(classes = SqliteSpringBootTest.App.class)
class SqliteSpringBootTest {
    static final Map<String, String> OWNERS = Accounts.newModel();

    @Autowired
    Bank bank;
    @Autowired
    SqliteEventStore sqlite;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    EventStore store;
    @Autowired
    DeciderRepository<AccountCommand, AccountEvent, Account> accounts;
    @Autowired
    RelatoProjections projections;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Path folder = Files.createTempDirectory("relato-spring");
        folder.toFile().deleteOnExit();
        registry.add("relato.sqlite.path", () -> folder.resolve("app.db").toString());
    }

    @Test
    void aTransactionalMethodThatThrowsStoresNeitherEventsNorItsOwnRows() {
        assertThatThrownBy(() -> bank.open("lite-failed", "alice", true)).isInstanceOf(IllegalStateException.class);
        assertThat(store.streamVersion(StreamId.of("Account", "lite-failed"))).isZero();
        assertThat(count("audit", "lite-failed")).isZero();
        assertThat(count("balances", "lite-failed")).isZero();
    }

    @Test
    void aTransactionalMethodThatReturnsStoresBoth() throws Exception {
        bank.open("lite-ok", "bob", false);
        assertThat(accounts.load("lite-ok").orElseThrow().version()).isEqualTo(2);
        assertThat(count("audit", "lite-ok")).isEqualTo(1);
        assertThat(count("balances", "lite-ok")).isEqualTo(1);
    }

    @Test
    void aTransactionTemplateRolledBackDropsTheAppend() {
        assertThat(transactionManager).isInstanceOf(SqliteTransactionManager.class);
        transactions.executeWithoutResult(status -> {
            accounts.create("lite-template", new Accounts.Open("carol"));
            status.setRollbackOnly();
        });
        assertThat(store.streamVersion(StreamId.of("Account", "lite-template"))).isZero();
        transactions.executeWithoutResult(status -> accounts.create("lite-template", new Accounts.Open("carol")));
        assertThat(store.streamVersion(StreamId.of("Account", "lite-template"))).isEqualTo(1);
    }

    @Test
    void theProjectionBeanRuns() throws Exception {
        accounts.create("lite-projected", new Accounts.Open("dave"));
        assertThat(projections.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        assertThat(OWNERS).containsEntry("lite-projected", "dave");
    }

    @Test
    void aPauseIsTheStoresOwnSoAnotherProcessCanLiftIt() throws Exception {
        projections.pause("owners");
        assertThat(sqlite.checkpoints().isPaused("owners")).isTrue();
        assertThat(projections.status("owners").orElseThrow().state()).isEqualTo(ProjectionState.PAUSED);
        accounts.create("lite-paused", new Accounts.Open("erin"));
        Thread.sleep(300);
        assertThat(OWNERS).doesNotContainKey("lite-paused");

        sqlite.checkpoints().resume("owners"); // as `relato projections resume owners` does from another process
        assertThat(projections.isPaused("owners")).isFalse();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!OWNERS.containsKey("lite-paused") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(OWNERS).containsEntry("lite-paused", "erin");
    }

    private int count(String table, String account) {
        return sqlite.callInTransaction(tx -> {
            try (PreparedStatement select = tx.connection().prepareStatement(
                    "SELECT count(*) FROM " + table + " WHERE account = ?")) {
                select.setString(1, account);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return rows.getInt(1);
                }
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
    static class App {
        @Bean
        DeciderDefinition<AccountCommand, AccountEvent, Account> accounts() {
            return Accounts.definition();
        }

        @Bean
        InlineProjection balances(SqliteEventStore store) {
            store.inTransaction(tx -> {
                try (Statement ddl = tx.connection().createStatement()) {
                    ddl.execute("CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, balance NUMERIC NOT NULL)");
                    ddl.execute("CREATE TABLE IF NOT EXISTS audit (account TEXT PRIMARY KEY, note TEXT NOT NULL)");
                }
            });
            return Accounts.balances("balances");
        }

        @Bean
        Projection<Object> owners() {
            return Accounts.owners(OWNERS);
        }

        @Bean
        Bank bank(DeciderRepository<AccountCommand, AccountEvent, Account> accounts,
                  SqliteTransactionManager transactions) {
            return new Bank(accounts, work -> work.run(transactions.currentTransaction().orElseThrow().connection()),
                    "audit");
        }
    }
}
