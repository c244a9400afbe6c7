package dev.relato.cli;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.cli.ops.Inputs;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stream read}. */
@Command(name = "stream", mixinStandardHelpOptions = true, description = "One stream.")
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
}
