package dev.relato.spring;

import dev.relato.aggregate.Decider;
import dev.relato.projection.Projection;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A small account domain for the starter's tests: events, commands, a decider and projections. */
final class Accounts {
    private Accounts() {
    }

    sealed interface AccountEvent permits Opened, Deposited {}

    record Opened(String owner) implements AccountEvent {}

    record Deposited(BigDecimal amount) implements AccountEvent {}

    sealed interface AccountCommand permits Open, Deposit {}

    record Open(String owner) implements AccountCommand {}

    record Deposit(BigDecimal amount) implements AccountCommand {}

    record Account(String owner, BigDecimal balance) {}

    static final Decider<AccountCommand, AccountEvent, Account> DECIDER = Decider.of(
            () -> new Account("", BigDecimal.ZERO),
            (command, state) -> {
                if (command instanceof Open open) {
                    return List.of(new Opened(open.owner()));
                }
                Deposit deposit = (Deposit) command;
                if (deposit.amount().signum() <= 0) {
                    throw new IllegalArgumentException("a deposit must be positive");
                }
                return List.of(new Deposited(deposit.amount()));
            },
            (state, event) -> event instanceof Opened opened
                    ? new Account(opened.owner(), state.balance())
                    : new Account(state.owner(), state.balance().add(((Deposited) event).amount())));

    static DeciderDefinition<AccountCommand, AccountEvent, Account> definition() {
        return DeciderDefinition.of("Account", AccountEvent.class, DECIDER);
    }

    /** An asynchronous projection whose read model is a map: the owners of the accounts it has seen. */
    static Projection<Object> owners(Map<String, String> owners) {
        return Projection.named("owners")
                .on(Opened.class, (context, event, record) -> owners.put(record.streamId().id(), event.owner()))
                .build();
    }

    static Map<String, String> newModel() {
        return new ConcurrentHashMap<>();
    }

    /** An inline projection into the table {@code table(account, balance)}, in the append's transaction. */
    static InlineProjection balances(String table) {
        return InlineProjection.of(Projection.<Connection>named("balances")
                .on(Opened.class, (connection, event, record) -> {
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO " + table + " (account, balance) VALUES (?, 0)")) {
                        insert.setString(1, record.streamId().id());
                        insert.executeUpdate();
                    }
                })
                .on(Deposited.class, (connection, event, record) -> {
                    try (PreparedStatement update = connection.prepareStatement(
                            "UPDATE " + table + " SET balance = balance + ? WHERE account = ?")) {
                        update.setBigDecimal(1, event.amount());
                        update.setString(2, record.streamId().id());
                        update.executeUpdate();
                    }
                })
                .build());
    }
}
