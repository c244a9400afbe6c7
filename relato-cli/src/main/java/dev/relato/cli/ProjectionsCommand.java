package dev.relato.cli;

import dev.relato.cli.ops.Inputs;
import dev.relato.cli.ops.ProjectionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code projections list | status | pause | resume | reset | rebuild}. */
@Command(name = "projections", mixinStandardHelpOptions = true,
        description = "Asynchronous projections, known by their checkpoints.")
final class ProjectionsCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every projection: checkpoint, head of the log, distance behind, dead letters.",
            footer = {"", "Example:", "  relato projections list --store sqlite:orders.db"})
    void list(@Mixin Connect connect) throws Exception {
        connect.run(ops -> {
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                ops.projections().list().forEach(p -> printer.row(Rows.projection(p)));
                if (printer.rows() == 0) {
                    printer.note("(no projections)");
                }
            }
        });
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "One projection.",
            footer = {"", "Example:", "  relato projections status order-list --store sqlite:orders.db"})
    void status(@Mixin Connect connect, @Parameters(paramLabel = "NAME") String name) throws Exception {
        Inputs.projection(name);
        connect.run(ops -> print(connect, ops.projections().status(name)));
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = {"Pauses the projection: its runners, in every process using the store, stop handling "
                    + "events within about their poll interval and keep their checkpoint.",
                    "The pause is stored beside the checkpoint and lasts until 'projections resume'."},
            footer = {"", "Example:", "  relato projections pause order-list --store sqlite:orders.db"})
    void pause(@Mixin Connect connect, @Parameters(paramLabel = "NAME") String name) throws Exception {
        Inputs.projection(name);
        connect.run(ops -> print(connect, ops.projections().pause(name)));
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Lifts the projection's pause: its runners go on from its checkpoint.",
            footer = {"", "Example:", "  relato projections resume order-list --store sqlite:orders.db"})
    void resume(@Mixin Connect connect, @Parameters(paramLabel = "NAME") String name) throws Exception {
        Inputs.projection(name);
        connect.run(ops -> print(connect, ops.projections().resume(name)));
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Moves the projection's checkpoint to POSITION: events after it are handled again.",
                    "Pause the projection first (or stop its runners): a running one saves its own position "
                            + "over it. The read model is not touched."},
            footer = {"", "Example:", "  relato projections reset order-list --to 1200 --store sqlite:orders.db"})
    void reset(@Mixin Connect connect, @Parameters(paramLabel = "NAME") String name,
               @Option(names = "--to", paramLabel = "POSITION", required = true) String to) throws Exception {
        Inputs.projection(name);
        long position = Numbers.position(to);
        connect.run(ops -> print(connect, ops.projections().reset(name, position)));
    }

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = {"Starts the projection again from the start of the log (its checkpoint goes to 0).",
                    "Pause it (or stop its runners) first, and clear its read model unless its handlers "
                            + "replace rows."},
            footer = {"", "Example:", "  relato projections rebuild order-list --store sqlite:orders.db"})
    void rebuild(@Mixin Connect connect, @Parameters(paramLabel = "NAME") String name) throws Exception {
        Inputs.projection(name);
        connect.run(ops -> print(connect, ops.projections().rebuild(name)));
    }

    private void print(Connect connect, ProjectionInfo info) {
        try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
            printer.row(Rows.projection(info));
        }
    }
}
