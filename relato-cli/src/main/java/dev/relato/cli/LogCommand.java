package dev.relato.cli;

import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code log read | tail}: the global log. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "The global log of every stream.")
final class LogCommand {
    @Spec
    CommandSpec spec;

    /** The filter options of both commands. */
    static final class Filter {
        @Option(names = "--category", paramLabel = "C", description = "Only streams of category C (repeatable).")
        List<String> categories = List.of();

        @Option(names = "--type", paramLabel = "T", description = "Only events of type T (repeatable).")
        List<String> types = List.of();

        EventFilter filter() {
            return dev.relato.cli.ops.LogOperations.filter(new LinkedHashSet<>(categories), new LinkedHashSet<>(types));
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true,
            description = "Reads the log in position order, lazily: memory stays flat however long the log.",
            footer = {"", "Example:", "  relato log read --store sqlite:orders.db --after 1200 --type OrderPlaced --json"})
    void read(@Mixin Connect connect, @Mixin Filter filter,
              @Option(names = "--after", paramLabel = "POSITION", defaultValue = "0") String after,
              @Option(names = "--limit", paramLabel = "N") Optional<String> limit) throws Exception {
        long from = Numbers.position(after);
        long most = limit.map(Numbers::count).orElse(Long.MAX_VALUE);
        EventFilter eventFilter = filter.filter();
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json);
                 Stream<RecordedEvent> events = ops.log().read(from, eventFilter, most)) {
                events.forEach(e -> printer.row(Rows.event(e, connect.json)));
            }
        });
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Shows the last events of the log (or those after --after), and with --follow goes on "
                    + "showing new ones as they are appended, until interrupted or --limit events were shown.",
            footer = {"", "Example:", "  relato log tail --follow --category Order --store jdbc:postgresql://localhost/app"})
    void tail(@Mixin Connect connect, @Mixin Filter filter,
              @Option(names = "--last", paramLabel = "N", defaultValue = "10") String last,
              @Option(names = "--after", paramLabel = "POSITION") Optional<String> after,
              @Option(names = "--follow", description = "Keep following the log.") boolean follow,
              @Option(names = "--limit", paramLabel = "N", description = "Stop after N events.") Optional<String> limit)
            throws Exception {
        long count = Numbers.count(last);
        if (count > 10_000) {
            throw new dev.relato.cli.ops.UsageException("--last must be 1 to 10000, got " + count);
        }
        Optional<Long> from = after.map(Numbers::position);
        long most = limit.map(Numbers::count).orElse(Long.MAX_VALUE);
        EventFilter eventFilter = filter.filter();
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                AtomicLong shown = new AtomicLong();
                long position;
                if (from.isPresent()) {
                    position = from.get();
                    if (!follow) {
                        try (Stream<RecordedEvent> events = ops.log().read(position, eventFilter, most)) {
                            events.forEach(e -> printer.row(Rows.event(e, connect.json)));
                        }
                        return;
                    }
                } else {
                    long head = ops.log().head();
                    position = head;
                    for (RecordedEvent e : ops.log().last(eventFilter, (int) Math.min(count, most))) {
                        printer.row(Rows.event(e, connect.json));
                        shown.incrementAndGet();
                        position = Math.max(e.position(), head);
                    }
                    printer.flush();
                    if (!follow) {
                        return;
                    }
                }
                ops.log().follow(position, eventFilter, e -> {
                    printer.row(Rows.event(e, connect.json));
                    printer.flush();
                    shown.incrementAndGet();
                }, () -> shown.get() >= most || Thread.currentThread().isInterrupted());
            }
        });
    }
}
