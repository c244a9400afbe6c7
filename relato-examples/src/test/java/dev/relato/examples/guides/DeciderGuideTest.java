package dev.relato.examples.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventStore;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.Decider;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The code of guides/decider.md, run. */
class DeciderGuideTest {
    // guide:begin
    sealed interface AccountEvent permits Opened, Deposited {}
    record Opened(String owner) implements AccountEvent {}
    record Deposited(long cents) implements AccountEvent {}

    sealed interface AccountCommand permits Open, Deposit {}
    record Open(String owner) implements AccountCommand {}
    record Deposit(long cents) implements AccountCommand {}

    record Account(boolean open, long balance) {}

    static final Decider<AccountCommand, AccountEvent, Account> ACCOUNTS = Decider.of(
            () -> new Account(false, 0),
            (command, account) -> {
                if (command instanceof Open open) return List.of(new Opened(open.owner()));
                if (!account.open()) throw new IllegalStateException("the account is not open");
                return List.of(new Deposited(((Deposit) command).cents()));
            },
            (account, event) -> event instanceof Deposited d
                    ? new Account(true, account.balance() + d.cents())
                    : new Account(true, account.balance()));
    // guide:end

    // guide:begin
    static DeciderRepository<AccountCommand, AccountEvent, Account> accounts(EventStore store) {
        var serializer = EventSerializer.of(EventTypes.builder().registerSealed(AccountEvent.class).build());
        return DeciderRepository.builder(store, serializer, "Account", AccountEvent.class, ACCOUNTS).build();
    }

    static long openAndDeposit(DeciderRepository<AccountCommand, AccountEvent, Account> accounts) {
        accounts.create("a-1", new Open("alice"));               // fails if a-1 exists, whatever it decides
        accounts.handle("a-1", new Deposit(2_500));              // load, decide, append; retried on a conflict
        accounts.loadOrCreate("a-2", new Open("bob"));           // loads a-2, or creates it if it is missing
        return accounts.load("a-1").orElseThrow().state().balance();
    }
    // guide:end

    @Test
    void theGuideRuns() {
        try (InMemoryEventStore store = InMemoryEventStore.create()) {
            var accounts = accounts(store);
            assertThat(openAndDeposit(accounts)).isEqualTo(2_500);
            assertThat(accounts.loadOrCreate("a-2", new Open("carol")).version()).isEqualTo(1);
            assertThatThrownBy(() -> accounts.create("a-1", new Open("bob")))
                    .isInstanceOf(WrongExpectedVersionException.class);
            assertThatThrownBy(() -> accounts.handle("a-3", new Deposit(1)))
                    .hasMessageContaining("not open");
        }
    }
}
