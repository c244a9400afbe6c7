package dev.relato.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged jar as a child process, as a user would. */
final class Cli {
    static final Path JAR = Path.of(System.getProperty("relato.cli.jar", "target/relato.jar"));
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private Cli() {
    }

    /** What a run printed and how it ended. */
    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    static Result run(String... args) {
        return runWith(List.of(), args);
    }

    /**
     * Runs several command lines in one JVM on the jar's classes (see {@link CliRuns}), one result per command:
     * cheaper than a JVM per command where a test checks several things.
     */
    @SafeVarargs
    static List<Result> runSeveral(List<String>... commands) {
        return runSeveralWith(Map.of(), commands);
    }

    /** As {@link #runSeveral}, with these variables added to the child's environment. */
    @SafeVarargs
    static List<Result> runSeveralWith(Map<String, String> environment, List<String>... commands) {
        try {
            Process process = startSeveral(List.of(), List.of(commands), environment);
            process.getOutputStream().close();
            Path errFile = Files.createTempFile("relato-cli", ".err");
            try {
                Thread errors = drain(process, errFile);
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("relato did not end in 120 s");
                }
                errors.join();
                List<String[]> outs = split(out);
                List<String[]> errs = split(Files.readString(errFile));
                if (outs.size() != commands.length || errs.size() != commands.length) {
                    throw new AssertionError("expected " + commands.length + " runs, got\n" + out + "\n" + errs);
                }
                List<Result> results = new ArrayList<>();
                for (int i = 0; i < commands.length; i++) {
                    results.add(new Result(Integer.parseInt(outs.get(i)[0]), outs.get(i)[1], errs.get(i)[1]));
                }
                return results;
            } finally {
                Files.deleteIfExists(errFile);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run the jar " + JAR + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Splits output at {@link CliRuns#MARKER} lines into pairs of exit code and text. */
    private static List<String[]> split(String text) {
        List<String[]> runs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(CliRuns.MARKER + " ")) {
                runs.add(new String[] {line.substring(CliRuns.MARKER.length() + 1).trim(), current.toString()});
                current.setLength(0);
            } else if (!line.isEmpty() || current.length() > 0) {
                current.append(line).append('\n');
            }
        }
        return runs;
    }

    /** Runs the jar with these JVM options before {@code -jar}. */
    static Result runWith(List<String> jvmOptions, String... args) {
        try {
            Process process = start(jvmOptions, args);
            process.getOutputStream().close();
            Path errFile = Files.createTempFile("relato-cli", ".err");
            try {
                Thread errors = drain(process, errFile);
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("relato " + String.join(" ", args) + " did not end in 120 s");
                }
                errors.join();
                return new Result(process.exitValue(), out, Files.readString(errFile));
            } finally {
                Files.deleteIfExists(errFile);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run the jar " + JAR + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts the jar; the caller reads its output and ends it. */
    static Process start(List<String> jvmOptions, String... args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError("the jar " + JAR + " is missing: these tests run after the package phase");
        }
        List<String> command = new ArrayList<>();
        command.add(JAVA);
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    /**
     * Starts one JVM on the jar's classes that runs several command lines in turn ({@link CliRuns}); each run's
     * output ends with a line {@code CliRuns.MARKER code}.
     */
    static Process startSeveral(List<String> jvmOptions, List<List<String>> commands) throws IOException {
        return startSeveral(jvmOptions, commands, Map.of());
    }

    private static Process startSeveral(List<String> jvmOptions, List<List<String>> commands,
                                        Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError("the jar " + JAR + " is missing: these tests run after the package phase");
        }
        Path testClasses = JAR.toAbsolutePath().getParent().resolve("test-classes");
        List<String> command = new ArrayList<>();
        command.add(JAVA);
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(JAR + java.io.File.pathSeparator + testClasses);
        command.add(CliRuns.class.getName());
        for (int i = 0; i < commands.size(); i++) {
            if (i > 0) {
                command.add(CliRuns.SEPARATOR);
            }
            command.addAll(commands.get(i));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static Thread drain(Process process, Path errFile) {
        Thread thread = new Thread(() -> {
            try {
                Files.copy(process.getErrorStream(), errFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        thread.start();
        return thread;
    }

    /** A reader of a running process' standard output. */
    static BufferedReader output(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }
}
