package dev.relato.test.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A JVM of a test's own running a main class of the test classpath: its standard output is kept line by line for
 * the test to wait on, its standard error goes to a file. Closing its standard input asks it to end; {@link #kill()}
 * ends it at once with SIGKILL. For crash tests of the store modules.
 *
 * <p>Thread-safe: its output is collected on a thread of its own; waiting and killing may happen on any thread.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::readOutput, "child-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a small JVM; its standard error goes to {@code errors}. */
    public static ChildJvm start(String name, Class<?> main, Path errors, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return new ChildJvm(name, new ProcessBuilder(command).redirectError(errors.toFile()).start());
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(output lost: " + e + ")");
        }
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the JVM has printed {@code line}; fails if it ends or the timeout passes first. */
    public void awaitLine(String line, Duration timeout) throws InterruptedException {
        await(line, line::equals, timeout);
    }

    /**
     * Waits until the JVM has printed a line that starts with {@code prefix} and returns the first such line; fails
     * if it ends or the timeout passes first.
     */
    public String awaitLineStartingWith(String prefix, Duration timeout) throws InterruptedException {
        return await(prefix, l -> l.startsWith(prefix), timeout);
    }

    private String await(String what, Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> found = lines.stream().filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (!process.isAlive() && lines.stream().noneMatch(wanted)) {
                throw new AssertionError(name + " ended (exit " + process.exitValue() + ") before printing " + what
                        + "; its output: " + lines);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not print " + what + " within " + timeout + "; its output: "
                        + lines);
            }
            Thread.sleep(20);
        }
    }

    /** Kills the JVM at once (SIGKILL) and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
