package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventStore;
import dev.relato.StreamId;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.TestDatabase;
import dev.relato.projection.Projection;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The starter on PostgreSQL with the application's DataSource: appends inside {@code @Transactional} methods and
 * {@link TransactionTemplate} commit or roll back with the application's own SQL, inline projections commit with the
 * append, a projection bean runs with the context.
 */
@SpringBootTest(classes = PostgresSpringBootTest.App.class)
class PostgresSpringBootTest {
    static final String SCHEMA = TestDatabase.newSchema("spring");
    static final Map<String, String> OWNERS = Accounts.newModel();

    @Autowired
    Bank bank;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    EventStore store;
    @Autowired
    DeciderRepository<AccountCommand, AccountEvent, Account> accounts;
    @Autowired
    RelatoProjections projections;
    @Autowired
    RelatoHealthIndicator health;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::url);
        registry.add("relato.store", () -> "postgres");
        registry.add("relato.postgres.schema", () -> SCHEMA);
    }

    @BeforeEach
    void tables() {
        jdbc.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".audit (account text PRIMARY KEY, note text NOT NULL)");
    }

    @Test
    void aTransactionalMethodThatThrowsStoresNeitherEventsNorItsOwnRows() {
        assertThatThrownBy(() -> bank.open("pg-failed", "alice", true)).isInstanceOf(IllegalStateException.class);
        assertThat(store.streamVersion(StreamId.of("Account", "pg-failed"))).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + SCHEMA + ".audit WHERE account = 'pg-failed'",
                Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + SCHEMA + ".balances WHERE account = 'pg-failed'",
                Integer.class)).isZero();
    }

    @Test
    void aTransactionalMethodThatReturnsStoresBoth() throws Exception {
        bank.open("pg-ok", "bob", false);
        assertThat(accounts.load("pg-ok").orElseThrow().version()).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT note FROM " + SCHEMA + ".audit WHERE account = 'pg-ok'", String.class))
                .isEqualTo("opened for bob");
        assertThat(jdbc.queryForObject("SELECT balance FROM " + SCHEMA + ".balances WHERE account = 'pg-ok'",
                Integer.class)).isEqualTo(10);
    }

    @Test
    void aTransactionTemplateRolledBackDropsTheAppend() {
        transactions.executeWithoutResult(status -> {
            accounts.create("pg-template", new Accounts.Open("carol"));
            status.setRollbackOnly();
        });
        assertThat(store.streamVersion(StreamId.of("Account", "pg-template"))).isZero();
        transactions.executeWithoutResult(status -> accounts.create("pg-template", new Accounts.Open("carol")));
        assertThat(store.streamVersion(StreamId.of("Account", "pg-template"))).isEqualTo(1);
    }

    @Test
    void theProjectionBeanRunsAndHealthIsUp() throws Exception {
        accounts.create("pg-projected", new Accounts.Open("dave"));
        assertThat(projections.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        assertThat(OWNERS).containsEntry("pg-projected", "dave");
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(store).isNotInstanceOf(PostgresEventStore.class);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        DeciderDefinition<AccountCommand, AccountEvent, Account> accounts() {
            return Accounts.definition();
        }

        @Bean
        InlineProjection balances(DataSource dataSource) {
            new JdbcTemplate(dataSource).execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            new JdbcTemplate(dataSource).execute("CREATE TABLE IF NOT EXISTS " + SCHEMA
                    + ".balances (account text PRIMARY KEY, balance numeric NOT NULL)");
            return Accounts.balances(SCHEMA + ".balances");
        }

        /** Drops the schema when the context closes, after the projections stopped. */
        @Bean
        DisposableBean dropSchema() {
            return () -> TestDatabase.dropSchema(SCHEMA);
        }

        @Bean
        Projection<Object> owners() {
            return Accounts.owners(OWNERS);
        }

        @Bean
        Bank bank(DeciderRepository<AccountCommand, AccountEvent, Account> accounts, JdbcTemplate jdbc) {
            return new Bank(accounts, work -> jdbc.execute((ConnectionCallback<Void>) connection -> {
                work.run(connection);
                return null;
            }), SCHEMA + ".audit");
        }
    }

}
