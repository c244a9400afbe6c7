package dev.relato.command;

import dev.relato.AppendResult;
import dev.relato.StreamId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a handled command appended. Immutable and thread-safe.
 *
 * @param commandId the command's id
 * @param appends   every append the handler made, in order; empty if it decided nothing
 * @param repeated  true if the command had already been handled (a retry of a command whose first attempt
 *                  committed): nothing was written now, and {@code appends} describe the first attempt's events
 */
public record Receipt(UUID commandId, List<AppendResult> appends, boolean repeated) {
    public Receipt {
        Objects.requireNonNull(commandId, "command id must not be null");
        appends = List.copyOf(appends);
    }

    /** The stream of the last append; empty if nothing was appended. */
    public Optional<StreamId> stream() {
        return appends.isEmpty() ? Optional.empty() : Optional.of(last().stream());
    }

    /** The version of the last append's stream after it; 0 if nothing was appended. */
    public long version() {
        return appends.isEmpty() ? 0 : last().lastVersion();
    }

    /** The global position of the last event appended; 0 if nothing was appended. */
    public long position() {
        return appends.isEmpty() ? 0 : last().lastPosition();
    }

    /** The number of events appended. */
    public int eventCount() {
        int count = 0;
        for (AppendResult append : appends) {
            count += append.events().size();
        }
        return count;
    }

    private AppendResult last() {
        return appends.get(appends.size() - 1);
    }
}
