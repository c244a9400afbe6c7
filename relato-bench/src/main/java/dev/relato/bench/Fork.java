package dev.relato.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a bench program in a JVM of its own: the same {@code java} and class path as this one, its standard
 * error joined to this one's, and the PostgreSQL password in the environment, never on the command line.
 */
final class Fork {
    private Fork() {
    }

    /**
     * @param jvmOptions options of the new JVM, such as {@code -Xmx256m}
     * @param main       the class whose {@code main} runs
     * @param args       its arguments
     * @param pgPassword the PostgreSQL password
     */
    static ProcessBuilder of(List<String> jvmOptions, Class<?> main, List<String> args, String pgPassword) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(PostgresBackend.PASSWORD_VARIABLE, pgPassword);
        return builder;
    }
}
