package dev.relato.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One database the bench runs on, with the two subjects measured on it: Relato, and where the database has
 * one, its plain-JDBC twin on the same database. A backend created by the harness owns its database (a
 * temporary file, a schema) and removes it on close; one {@linkplain #attach attached} in a forked JVM only
 * opens what the harness created. Subjects are opened on first use. Not thread-safe to open; the subjects are.
 */
abstract class Backend implements AutoCloseable {
    /** Subject kind of Relato. */
    static final String RELATO = "relato";
    /** Subject kind of the plain-JDBC twin. */
    static final String JDBC = "jdbc";

    private Subject relato;
    private Subject jdbc;

    /** {@code memory}, {@code sqlite} or {@code postgres}. */
    abstract String name();

    abstract Subject openRelato();

    /** The plain-JDBC twin; empty if the backend has no SQL database. */
    abstract Optional<Subject> openJdbc();

    /**
     * What {@link #attach(List)} needs to open this backend's database in another JVM, after the backend name;
     * empty if it cannot be opened elsewhere (the in-memory store).
     */
    abstract Optional<List<String>> attachArguments();

    /** Removes what this backend created; called after the subjects are closed. */
    abstract void cleanUp();

    final Subject relato() {
        if (relato == null) {
            relato = openRelato();
        }
        return relato;
    }

    final Optional<Subject> jdbc() {
        if (jdbc == null) {
            jdbc = openJdbc().orElse(null);
        }
        return Optional.ofNullable(jdbc);
    }

    /** The subject of a kind: {@link #RELATO} or {@link #JDBC}. */
    final Subject subject(String kind) {
        return switch (kind) {
            case RELATO -> relato();
            case JDBC -> jdbc().orElseThrow(() -> new IllegalArgumentException(name() + " has no plain-JDBC twin"));
            default -> throw new IllegalArgumentException("unknown subject kind '" + kind + "'");
        };
    }

    /** The arguments for {@link #attach(List)}: the name, then {@link #attachArguments()}. */
    final Optional<List<String>> attachCommand() {
        return attachArguments().map(args -> {
            List<String> command = new ArrayList<>();
            command.add(name());
            command.addAll(args);
            return command;
        });
    }

    /** Opens, without owning, the database of a backend from its {@link #attachCommand()}. */
    static Backend attach(List<String> command) {
        String name = command.get(0);
        List<String> args = command.subList(1, command.size());
        return switch (name) {
            case "sqlite" -> SqliteBackend.attach(args);
            case "postgres" -> PostgresBackend.attach(args);
            default -> throw new IllegalArgumentException("backend '" + name + "' cannot be attached");
        };
    }

    @Override
    public final void close() {
        RuntimeException failure = null;
        for (Subject subject : new Subject[] {relato, jdbc}) {
            if (subject != null) {
                try {
                    subject.close();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
        }
        relato = null;
        jdbc = null;
        cleanUp();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
