package dev.relato.spring;

import dev.relato.aggregate.DeciderRepository;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import dev.relato.spring.Accounts.Deposit;
import dev.relato.spring.Accounts.Open;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.springframework.transaction.annotation.Transactional;

/**
 * An application service of the tests: each method appends through the repository and writes the application's own
 * table {@code audit(account, note)} in one Spring-managed transaction, then throws when told to.
 */
public class Bank {
    private final DeciderRepository<AccountCommand, AccountEvent, Account> accounts;
    private final ConnectionSource connections;
    private final String audit;

    /** The transaction's connection, as the application reaches it on its store. */
    @FunctionalInterface
    public interface ConnectionSource {
        void write(SqlWork work) throws SQLException;
    }

    /** SQL on the transaction's connection. */
    @FunctionalInterface
    public interface SqlWork {
        void run(Connection connection) throws SQLException;
    }

    public Bank(DeciderRepository<AccountCommand, AccountEvent, Account> accounts, ConnectionSource connections,
                String audit) {
        this.accounts = accounts;
        this.connections = connections;
        this.audit = audit;
    }

    @Transactional
    public void open(String account, String owner, boolean fail) throws SQLException {
        accounts.create(account, new Open(owner));
        accounts.handle(account, new Deposit(BigDecimal.TEN));
        connections.write(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO " + audit + " (account, note) VALUES (?, ?)")) {
                insert.setString(1, account);
                insert.setString(2, "opened for " + owner);
                insert.executeUpdate();
            }
        });
        if (fail) {
            throw new IllegalStateException("the service failed after its writes");
        }
    }
}
