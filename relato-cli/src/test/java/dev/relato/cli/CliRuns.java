package dev.relato.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs several command lines, separated by {@link #SEPARATOR}, one after another in this JVM through the jar's
 * own entry point, printing to standard output as {@code relato} does and ending each run with a line
 * {@code MARKER code} on standard output and on standard error. Lets a test check several commands under one small heap without a JVM start per command.
 */
final class CliRuns {
    static final String SEPARATOR = "--then";
    static final String MARKER = "#relato-exit";

    private CliRuns() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int worst = 0;
        for (String[] command : split(args)) {
            int code = RelatoCli.run(command, out, err);
            out.println(MARKER + " " + code);
            out.flush();
            err.println(MARKER + " " + code);
            worst = Math.max(worst, code);
        }
        System.exit(worst);
    }

    static List<String[]> split(String[] args) {
        List<String[]> commands = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= args.length; i++) {
            if (i == args.length || args[i].equals(SEPARATOR)) {
                commands.add(Arrays.copyOfRange(args, start, i));
                start = i + 1;
            }
        }
        return commands;
    }
}
