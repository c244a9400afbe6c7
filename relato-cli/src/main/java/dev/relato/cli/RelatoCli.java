package dev.relato.cli;

import dev.relato.InvalidInputException;
import dev.relato.RelatoException;
import dev.relato.cli.ops.OperationException;
import dev.relato.cli.ops.UsageException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The {@code relato} command line: {@code java -jar relato.jar --store LOCATION COMMAND …}. Exit codes: 0 success,
 * 1 failure (the store refused or failed, an unknown stream or projection), 2 usage error (a malformed option,
 * position or time, an unknown store scheme). Errors are one line on standard error, with the stack trace only
 * under {@code --verbose}.
 */
@Command(name = "relato", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Looks at and operates a Relato event store.",
        subcommands = {SchemaCommand.class, StreamsCommand.class, StreamCommand.class, LogCommand.class,
                ProjectionsCommand.class, DeadLettersCommand.class, ForgetCommand.class, ConsoleCommand.class},
        footer = {"", "Examples:",
                "  relato streams list --store sqlite:orders.db --category Order",
                "  relato log tail --follow --json --store jdbc:postgresql://localhost/app?user=app",
                "  relato projections list --store nats://localhost:4222"})
public final class RelatoCli {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On failure, print the stack trace too.")
    boolean verbose;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, false, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs the command line, writing to {@code out} and {@code err}, and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        RelatoCli root = new RelatoCli();
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.matchedOptionValue("--verbose", false) || root.verbose;
            for (CommandLine.ParseResult sub = parseResult; sub != null; sub = sub.subcommand()) {
                verbose |= sub.matchedOptionValue("--verbose", false);
            }
            commandLine.getErr().println("relato: " + message(e));
            if (verbose) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return e instanceof UsageException || e instanceof InvalidInputException
                    || e instanceof IllegalArgumentException ? 2 : 1;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            CommandLine commandLine = e.getCommandLine();
            commandLine.getErr().println("relato: " + e.getMessage());
            commandLine.getErr().println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
            commandLine.getErr().flush();
            return 2;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
    }

    static String message(Throwable e) {
        if (e instanceof UsageException || e instanceof OperationException || e instanceof RelatoException) {
            return oneLine(e.getMessage());
        }
        String message = e.getMessage();
        return oneLine(e.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    private static String oneLine(String message) {
        String text = message == null ? "failed" : message;
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
