package dev.relato.bench;

import dev.relato.aggregate.Decider;
import dev.relato.bench.AccountEvent.Deposited;
import dev.relato.bench.AccountEvent.Opened;
import dev.relato.bench.AccountEvent.Withdrawn;
import dev.relato.serialization.EventTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The account aggregate as a decider, the event registry, and the event sequences the workloads append.
 * Stateless and thread-safe.
 */
public final class Account implements Decider<Account.Command, AccountEvent, Account.State> {
    /** The stream category of accounts. */
    public static final String CATEGORY = "Account";
    /** The registry of the account events. */
    public static final EventTypes TYPES = EventTypes.builder().registerSealed(AccountEvent.class).build();

    /** What can be asked of an account. */
    public sealed interface Command {
        String accountId();
    }

    /** Deposit money. */
    public record Deposit(String accountId, long amountCents, String reference) implements Command {
    }

    /** Withdraw money, if the balance allows it. */
    public record Withdraw(String accountId, long amountCents, String reference) implements Command {
    }

    /**
     * An account's state.
     *
     * @param open         whether it was opened
     * @param balanceCents the balance
     * @param transactions the number of deposits and withdrawals
     */
    public record State(boolean open, long balanceCents, long transactions) {
    }

    @Override
    public State initialState() {
        return new State(false, 0, 0);
    }

    @Override
    public List<AccountEvent> decide(Command command, State state) {
        if (command instanceof Deposit d) {
            return List.of(new Deposited(d.accountId(), d.amountCents(), d.reference()));
        }
        Withdraw w = (Withdraw) command;
        if (w.amountCents() > state.balanceCents()) {
            throw new IllegalStateException("balance " + state.balanceCents() + " is below " + w.amountCents());
        }
        return List.of(new Withdrawn(w.accountId(), w.amountCents(), w.reference()));
    }

    @Override
    public State evolve(State state, AccountEvent event) {
        if (event instanceof Opened) {
            return new State(true, state.balanceCents(), state.transactions());
        }
        if (event instanceof Deposited d) {
            return new State(state.open(), state.balanceCents() + d.amountCents(), state.transactions() + 1);
        }
        Withdrawn w = (Withdrawn) event;
        return new State(state.open(), state.balanceCents() - w.amountCents(), state.transactions() + 1);
    }

    /**
     * The {@code index}-th event of account {@code accountId}: it opens with {@link Opened}, then deposits, with a
     * withdrawal every fifth event.
     */
    public static AccountEvent event(String accountId, long index) {
        if (index == 0) {
            return new Opened(accountId, "owner-" + accountId, Instant.parse("2026-01-01T00:00:00Z"));
        }
        String reference = "ref-" + accountId + "-" + index;
        return index % 5 == 0 ? new Withdrawn(accountId, 500 + index % 100, reference)
                : new Deposited(accountId, 1_000 + index % 1_000, reference);
    }

    /** Events {@code from} (0: the opening) to {@code from + count - 1} of an account. */
    public static List<AccountEvent> events(String accountId, long from, int count) {
        List<AccountEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(event(accountId, from + i));
        }
        return events;
    }
}
