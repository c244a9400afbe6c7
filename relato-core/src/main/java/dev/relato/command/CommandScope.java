package dev.relato.command;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.Metadata;
import dev.relato.PayloadReads;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.internal.Trusted;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The store as one attempt at one command sees it: appends get event ids derived from the command id (the n-th
 * event of the attempt gets {@link Command#eventId}(id, n)) and the command's metadata; a read that meets the
 * command's first event, before the attempt appended anything, throws {@link AlreadyHandled}. Its
 * {@link PayloadReads} are the store's where it has them (so repositories fold them as they would without the bus),
 * whole records cut down otherwise. Used by one thread.
 */
final class CommandScope extends ForwardingEventStore implements PayloadReads {
    private final Command<?> command;
    private final UUID firstEventId;
    private final List<AppendResult> appends = new ArrayList<>();
    private int next;
    private @Nullable Metadata commandMetadata; // what events without metadata of their own carry, once first needed

    CommandScope(EventStore store, Command<?> command) {
        super(store);
        this.command = command;
        this.firstEventId = Command.eventId(command.id(), 0);
    }

    Command<?> command() {
        return command;
    }

    List<AppendResult> appends() {
        return appends;
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        List<EventData> derived = new ArrayList<>(events.size());
        int index = next;
        for (EventData event : events) { // its payload was checked when it was made: copied, not parsed again
            UUID id = index == 0 ? firstEventId : Command.eventId(command.id(), index);
            index++;
            derived.add(Trusted.eventData(id, event.type(), event.schemaVersion(), event.payload(),
                    metadataFor(event.metadata()), event.occurredAt().orElse(null)));
        }
        AppendResult result = delegate().append(stream, expected, derived);
        next = index;
        appends.add(result);
        return result;
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        List<RecordedEvent> records = delegate().read(stream, read);
        if (next == 0) {
            for (RecordedEvent record : records) {
                if (record.eventId().equals(firstEventId)) {
                    throw new AlreadyHandled(record);
                }
            }
        }
        return records;
    }

    @Override
    public List<StoredPayload> readPayloads(StreamId stream, StreamRead read) {
        List<StoredPayload> stored = PayloadReads.of(delegate()).readPayloads(stream, read);
        if (next == 0) {
            for (StoredPayload event : stored) {
                if (event.eventId().equals(firstEventId)) { // the whole record, to answer with it
                    read(stream, StreamRead.forwards().from(event.streamVersion()).limit(1));
                }
            }
        }
        return stored;
    }

    private Metadata metadataFor(Metadata own) {
        if (own.isEmpty()) { // the common case: every event of the command carries the same metadata, built once
            if (commandMetadata == null) {
                commandMetadata = merged(own);
            }
            return commandMetadata;
        }
        return merged(own);
    }

    private Metadata merged(Metadata own) {
        Map<String, String> entries = new LinkedHashMap<>(command.metadata().entries());
        entries.putAll(own.entries());
        entries.putIfAbsent(Metadata.CAUSATION_ID, command.id().toString());
        entries.putIfAbsent(Metadata.CORRELATION_ID, command.id().toString());
        return new Metadata(entries);
    }

    /** The command's first event is already stored: this attempt is a retry of a command that committed. */
    static final class AlreadyHandled extends RuntimeException {
        private final transient RecordedEvent first;

        AlreadyHandled(RecordedEvent first) {
            super("command already handled", null, false, false);
            this.first = first;
        }

        RecordedEvent first() {
            return first;
        }
    }
}
