package dev.relato.cli;

import dev.relato.cli.ops.StreamSummary;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streams list}. */
@Command(name = "streams", mixinStandardHelpOptions = true, description = "The streams of the store.")
final class StreamsCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists streams in the order they were created, scanning the log for first events.",
            footer = {"", "Example:", "  relato streams list --store sqlite:orders.db --category Order --limit 20"})
    void list(@Mixin Connect connect,
              @Option(names = "--category", paramLabel = "C") Optional<String> category,
              @Option(names = "--prefix-id", paramLabel = "P", description = "Only ids starting with P.") Optional<String> idPrefix,
              @Option(names = "--after", paramLabel = "POSITION", defaultValue = "0",
                      description = "Only streams created after this position (the last POSITION of the previous page).")
              String after,
              @Option(names = "--limit", paramLabel = "N", defaultValue = "100") String limit) throws Exception {
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json);
                 Stream<StreamSummary> streams = ops.streams().list(category, idPrefix,
                         Numbers.position(after), Numbers.count(limit))) {
                streams.forEach(s -> printer.row(Rows.stream(s)));
                if (printer.rows() == 0) {
                    printer.note("(no streams)");
                }
            }
        });
    }
}
