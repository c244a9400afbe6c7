package dev.relato.cli;

import dev.relato.cli.ops.Inputs;
import dev.relato.cli.ops.OperationException;
import dev.relato.cli.ops.ReplayOutcome;
import dev.relato.projection.DeadLetter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dead-letters list | show | replay | discard}. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = {"Events projections skipped after their handlers kept failing.",
                "A replay hands the event to the projection's handler, which only the application running the "
                        + "projection has: 'replay' asks its runner, in whatever process, through the store."})
final class DeadLettersCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The dead letters of every projection, or of one.",
            footer = {"", "Example:", "  relato dead-letters list --projection order-list --store sqlite:orders.db"})
    void list(@Mixin Connect connect,
              @Option(names = "--projection", paramLabel = "NAME") Optional<String> projection) throws Exception {
        projection.ifPresent(Inputs::projection);
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                ops.deadLetters().list(projection).forEach(d -> printer.row(Rows.deadLetter(d, false)));
                if (printer.rows() == 0) {
                    printer.note("(no dead letters)");
                }
            }
        });
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One dead letter, with its stack trace.",
            footer = {"", "Example:", "  relato dead-letters show order-list 1207 --store sqlite:orders.db"})
    void show(@Mixin Connect connect, @Parameters(index = "0", paramLabel = "PROJECTION") String projection,
              @Parameters(index = "1", paramLabel = "POSITION") String position) throws Exception {
        Inputs.projection(projection);
        long at = Inputs.number(position, "position", 1);
        connect.run(ops -> {
            DeadLetter letter = ops.deadLetters().show(projection, at);
            if (connect.json) {
                try (Printer printer = new Printer(spec.commandLine().getOut(), true)) {
                    printer.row(Rows.deadLetter(letter, true));
                }
            } else {
                var out = spec.commandLine().getOut();
                Rows.deadLetter(letter, true).forEach((k, v) -> {
                    if (!k.equals("stackTrace")) {
                        out.println(String.format("%-11s %s", k + ":", v));
                    }
                });
                out.println("stack trace:");
                out.println(letter.stackTrace());
                out.flush();
            }
        });
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Asks the projection's runner to hand the event to its handler again; on success the dead "
                    + "letter is removed.",
                    "The request is stored with the dead letter: the runner, in whatever process runs it, replays it "
                            + "within about its poll interval. Waits up to --wait to tell how it went: exit 0 when "
                            + "replayed (or still asked for when the wait ends), 1 when it failed again."},
            footer = {"", "Example:", "  relato dead-letters replay order-list 1207 --wait 60 --store sqlite:orders.db"})
    void replay(@Mixin Connect connect, @Parameters(index = "0", paramLabel = "PROJECTION") String projection,
                @Parameters(index = "1", paramLabel = "POSITION") String position,
                @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
                        description = "how long to wait for the runner, in seconds (default 30; 0: only ask)") String wait)
            throws Exception {
        Inputs.projection(projection);
        long at = Inputs.number(position, "position", 1);
        Duration waiting = Duration.ofSeconds(Inputs.number(wait, "wait", 0));
        connect.run(ops -> {
            ReplayOutcome outcome = ops.deadLetters().replay(projection, at, waiting);
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                printer.row(Printer.row("projection", projection, "position", at, "outcome",
                        outcome.name().toLowerCase(Locale.ROOT)));
                if (outcome == ReplayOutcome.REQUESTED) {
                    printer.note("asked for: no runner of '" + projection + "' replayed it within " + wait
                            + " s; it does when one next looks");
                }
            }
            if (outcome == ReplayOutcome.FAILED_AGAIN) {
                throw new OperationException("the dead letter of '" + Inputs.preview(projection) + "' at " + at
                        + " failed again: " + ops.deadLetters().show(projection, at).error());
            }
        });
    }

    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = "Removes a dead letter: its event stays skipped for good.",
            footer = {"", "Example:", "  relato dead-letters discard order-list 1207 --store sqlite:orders.db"})
    void discard(@Mixin Connect connect, @Parameters(index = "0", paramLabel = "PROJECTION") String projection,
                 @Parameters(index = "1", paramLabel = "POSITION") String position) throws Exception {
        Inputs.projection(projection);
        long at = Inputs.number(position, "position", 1);
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                printer.row(Rows.deadLetter(ops.deadLetters().discard(projection, at), false));
                printer.note("discarded");
            }
        });
    }
}
