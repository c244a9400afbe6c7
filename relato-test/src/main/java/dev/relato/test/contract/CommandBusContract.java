package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.aggregate.Decider;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.command.Command;
import dev.relato.command.CommandBus;
import dev.relato.command.Receipt;
import dev.relato.command.UnknownCommandException;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the {@link CommandBus} promises on every store, as a JUnit 5 suite: a command re-sent after its first
 * attempt committed but its reply was lost is applied once; event ids derive from the command id; a rejection is
 * the domain's exception and appends nothing; an unknown command type appends nothing. A backend extends it with
 * {@link #createStore()} (and {@link #destroyStore} if closing is not enough); each test gets a new, empty store.
 */
public abstract class CommandBusContract extends OnFreshStore {
    private final EventSerializer serializer = EventSerializer.of(EventTypes.builder()
            .register(Ledger.Credited.class, "Credited", 1).build());

    /** For the subclass of a store module. */
    protected CommandBusContract() {
    }

    private CommandBus bus(EventStore through) {
        DeciderRepository<Ledger.Credit, Ledger.Credited, Long> ledgers = DeciderRepository
                .builder(through, serializer, "Ledger", Ledger.Credited.class, Ledger.DECIDER).build();
        return CommandBus.builder(through).decider(Ledger.Credit.class, ledgers, Ledger.Credit::ledgerId).build();
    }

    private StreamId ledger(String id) {
        return StreamId.of("Ledger", id);
    }

    @Test
    void aCommandReSentAfterItsReplyWasLostIsAppliedOnce() {
        LosingReplies losing = new LosingReplies(store());
        CommandBus bus = bus(losing);
        Command<Ledger.Credit> credit = Command.of(UUID.randomUUID(), new Ledger.Credit("l-1", 5));
        bus.send(new Ledger.Credit("l-1", 1));

        losing.loseNextReply();
        assertThatThrownBy(() -> bus.send(credit)).isInstanceOf(StoreUnavailableException.class);
        assertThat(store().streamVersion(ledger("l-1"))).as("the first attempt committed").isEqualTo(2);

        Receipt retry = bus.send(credit);

        assertThat(retry.repeated()).isTrue();
        assertThat(retry.version()).isEqualTo(2);
        assertThat(store().read(ledger("l-1"))).hasSize(2);
        assertThat(retry.position()).isEqualTo(store().read(ledger("l-1")).get(1).position());
    }

    @Test
    void aCommandReSentAfterLaterCommandsIsStillAppliedOnce() {
        CommandBus bus = bus(store());
        Command<Ledger.Credit> credit = Command.of(UUID.randomUUID(), new Ledger.Credit("l-2", 5));
        Receipt first = bus.send(credit);
        bus.send(new Ledger.Credit("l-2", 7));

        Receipt again = bus.send(credit);

        assertThat(again.repeated()).isTrue();
        assertThat(again.version()).isEqualTo(first.version());
        assertThat(store().read(ledger("l-2"))).hasSize(2);
    }

    @Test
    void eventIdsDeriveFromTheCommandIdAndEventsCarryItAsCausation() {
        UUID id = UUID.randomUUID();
        Receipt receipt = bus(store()).send(Command.of(id, new Ledger.Credit("l-3", 2)));

        RecordedEvent event = store().read(ledger("l-3")).get(0);
        assertThat(event.eventId()).isEqualTo(Command.eventId(id, 0));
        assertThat(event.metadata().causationId()).contains(id.toString());
        assertThat(receipt.repeated()).isFalse();
        assertThat(receipt.commandId()).isEqualTo(id);
        assertThat(receipt.eventCount()).isEqualTo(1);
    }

    @Test
    void aRejectionIsTheDomainsExceptionAndAppendsNothing() {
        CommandBus bus = bus(store());

        assertThatThrownBy(() -> bus.send(new Ledger.Credit("l-4", -1))).isInstanceOf(Ledger.Rejected.class)
                .hasMessageContaining("positive");
        assertThat(store().exists(ledger("l-4"))).isFalse();
    }

    @Test
    void anUnknownCommandTypeIsAClearErrorAndAppendsNothing() {
        CommandBus bus = bus(store());
        long head = store().headPosition();

        assertThatThrownBy(() -> bus.send("not a command")).isInstanceOf(UnknownCommandException.class)
                .hasMessageContaining("java.lang.String");
        assertThat(store().headPosition()).isEqualTo(head);
        assertThat(bus.send(new Ledger.Credit("l-5", 1)).version()).as("the bus still works").isEqualTo(1);
    }

    /** A tiny ledger decider: credits must be positive. */
    static final class Ledger {
        record Credit(String ledgerId, long amount) {
        }

        record Credited(String ledgerId, long amount) {
        }

        static final class Rejected extends RuntimeException {
            Rejected(String message) {
                super(message);
            }
        }

        static final Decider<Credit, Credited, Long> DECIDER = Decider.of(() -> 0L, (command, balance) -> {
            if (command.amount() <= 0) {
                throw new Rejected("a credit must be positive, got " + command.amount());
            }
            return List.of(new Credited(command.ledgerId(), command.amount()));
        }, (balance, event) -> balance + event.amount());

        private Ledger() {
        }
    }

    /** Commits appends, but loses the reply of the next one: the caller sees a failure after the commit. */
    private static final class LosingReplies extends ForwardingEventStore {
        private final AtomicBoolean loseNext = new AtomicBoolean();

        LosingReplies(EventStore delegate) {
            super(delegate);
        }

        void loseNextReply() {
            loseNext.set(true);
        }

        @Override
        public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
            AppendResult result = super.append(stream, expected, events);
            if (loseNext.compareAndSet(true, false)) {
                throw new StoreUnavailableException("the connection dropped before the reply of an append to '"
                        + stream + "' arrived", null);
            }
            return result;
        }

        @Override
        public void close() {
        }
    }
}
