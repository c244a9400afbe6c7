package dev.relato.cli;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.cli.ops.Inputs;
import dev.relato.cli.ops.UsageException;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stream read | delete | tombstone | truncate}. */
@Command(name = "stream", mixinStandardHelpOptions = true, description = "One stream: read it, or remove its events.")
final class StreamCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "read", mixinStandardHelpOptions = true,
            description = "Reads the events of stream ID (category-id), a page at a time.",
            footer = {"", "Examples:", "  relato stream read Order-o-1 --store sqlite:orders.db",
                    "  relato stream read Order-o-1 --store sqlite:orders.db --backwards --limit 5",
                    "  relato stream read Order-o-1 --store sqlite:orders.db --as-of 2026-12-03T08:00:00Z --json"})
    void read(@Mixin Connect connect, @Parameters(paramLabel = "ID") String id,
              @Option(names = "--from", paramLabel = "V", description = "First version (backwards: the newest).") Optional<String> from,
              @Option(names = "--to", paramLabel = "V", description = "Last version (backwards: the oldest).") Optional<String> to,
              @Option(names = "--backwards", description = "Newest first.") boolean backwards,
              @Option(names = "--as-of", paramLabel = "T", description = "The stream as it stood at instant T (ISO-8601).")
              Optional<String> asOf,
              @Option(names = "--limit", paramLabel = "N") Optional<String> limit) throws Exception {
        StreamId stream = Inputs.stream(id);
        StreamRead read = backwards ? StreamRead.backwards() : StreamRead.forwards();
        if (from.isPresent()) {
            read = read.from(Numbers.version(from.get()));
        }
        if (to.isPresent()) {
            read = read.to(Numbers.version(to.get()));
        }
        if (asOf.isPresent()) {
            read = read.asOf(Inputs.instant(asOf.get(), "--as-of"));
        }
        if (limit.isPresent()) {
            read = read.limit((int) Math.min(Integer.MAX_VALUE, Numbers.count(limit.get())));
        }
        StreamRead finalRead = read;
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json);
                 Stream<RecordedEvent> events = ops.streams().read(stream, finalRead)) {
                events.forEach(e -> printer.row(Rows.event(e, connect.json)));
            }
        });
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Deletes stream ID: its events are removed for good and it may be written again from "
                    + "version 1.", "Destroys data: needs --yes. Not offered by the NATS store."},
            footer = {"", "Examples:", "  relato stream delete Order-o-1 --yes --store sqlite:orders.db",
                    "  relato stream delete Order-o-1 --expected-version 4 --yes --store sqlite:orders.db"})
    void delete(@Mixin Connect connect, @Parameters(paramLabel = "ID") String id,
                @Option(names = "--expected-version", paramLabel = "V",
                        description = "Delete only if the stream is at version V.") Optional<String> expected,
                @Option(names = "--yes", description = "Confirms the deletion.") boolean yes) throws Exception {
        StreamId stream = Inputs.stream(id);
        Optional<Long> version = expected.map(Numbers::version);
        confirm(yes, "stream delete");
        connect.run(ops -> removed(connect, id, "deleted", ops.removal().delete(stream, version)));
    }

    @Command(name = "tombstone", mixinStandardHelpOptions = true,
            description = {"Deletes stream ID for good: its events are removed and every later append to it fails.",
                    "Destroys data: needs --yes. Not offered by the NATS store."},
            footer = {"", "Example:", "  relato stream tombstone Order-o-1 --yes --store sqlite:orders.db"})
    void tombstone(@Mixin Connect connect, @Parameters(paramLabel = "ID") String id,
                   @Option(names = "--yes", description = "Confirms the tombstone.") boolean yes) throws Exception {
        StreamId stream = Inputs.stream(id);
        confirm(yes, "stream tombstone");
        connect.run(ops -> removed(connect, id, "tombstoned", ops.removal().tombstone(stream)));
    }

    @Command(name = "truncate", mixinStandardHelpOptions = true,
            description = {"Removes the events of stream ID below version V; the rest keep their versions and the "
                    + "last event always stays.", "Destroys data: needs --yes. Not offered by the NATS store."},
            footer = {"", "Example:", "  relato stream truncate Order-o-1 --before 100 --yes --store sqlite:orders.db"})
    void truncate(@Mixin Connect connect, @Parameters(paramLabel = "ID") String id,
                  @Option(names = "--before", paramLabel = "V", required = true,
                          description = "The lowest version to keep.") String before,
                  @Option(names = "--yes", description = "Confirms the truncation.") boolean yes) throws Exception {
        StreamId stream = Inputs.stream(id);
        long version = Numbers.version(before);
        confirm(yes, "stream truncate");
        connect.run(ops -> removed(connect, id, "truncated", ops.removal().truncate(stream, version)));
    }

    /** Refuses a destructive command without {@code --yes}, before the store is opened. */
    static void confirm(boolean yes, String command) {
        if (!yes) {
            throw new UsageException(command + " destroys data for good: add --yes to confirm");
        }
    }

    private void removed(Connect connect, String id, String action, long removed) {
        try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
            printer.row(Printer.row("stream", id, "action", action, "removed", removed));
        }
    }
}
