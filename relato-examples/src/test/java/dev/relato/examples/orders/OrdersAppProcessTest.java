package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main class as an operating system process: its output, exit codes and shutdown on SIGTERM. */
class OrdersAppProcessTest {
    private static final Pattern LISTENING = Pattern.compile(
            "Orders service listening on http://127\\.0\\.0\\.1:(\\d+) \\(store: sqlite at (.+)\\)");

    @Test
    void badFlagsPrintTheUsageAndExitWith2(@TempDir Path directory) throws Exception {
        Process process = start(directory, "--store", "mysql");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        String errors = Files.readString(directory.resolve("stderr.txt"));
        assertThat(errors).contains("unknown store 'mysql'").contains("usage:");
    }

    @Test
    void printsWhereItListensServesAndStopsOnSigterm(@TempDir Path directory) throws Exception {
        Process process = start(directory, "--port", "0");
        try {
            String line;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                line = out.readLine();
            }
            assertThat(line).isNotNull();
            Matcher matcher = LISTENING.matcher(line);
            assertThat(matcher.matches()).as(line).isTrue();
            assertThat(Path.of(matcher.group(2))).isEqualTo(directory.resolve("relato-orders.db").toAbsolutePath());

            OrdersClient client = new OrdersClient("http://127.0.0.1:" + matcher.group(1));
            String id = client.place("from-a-process");
            assertThat(client.get("/orders/" + id).status()).isEqualTo(200);
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(directory.resolve("stderr.txt"))).contains("Orders service stopped");
    }

    /** Runs the main class in {@code directory} on this test's class path; stderr goes to a file there. */
    private static Process start(Path directory, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrdersApp.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(directory.toFile())
                .redirectError(directory.resolve("stderr.txt").toFile())
                .start();
    }
}
