package dev.relato.spring;

import dev.relato.aggregate.AggregateRoot;
import dev.relato.spring.Accounts.AccountEvent;
import dev.relato.spring.Accounts.Deposited;
import dev.relato.spring.Accounts.Opened;
import java.math.BigDecimal;

/** The account as an aggregate root, for the tests of {@link AggregateDefinition}. */
final class Ledger extends AggregateRoot<AccountEvent> {
    private BigDecimal balance = BigDecimal.ZERO;

    void open(String owner) {
        raise(new Opened(owner));
    }

    void deposit(BigDecimal amount) {
        raise(new Deposited(amount));
    }

    BigDecimal balance() {
        return balance;
    }

    @Override
    protected void apply(AccountEvent event) {
        if (event instanceof Deposited deposited) {
            balance = balance.add(deposited.amount());
        }
    }
}
