package dev.relato.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One database the bench runs on, with the peers measured on it: Relato and, where the database has them, the
 * leanest plain-JDBC code, the plain-JDBC code on Relato's table shape, and Axon Framework's JDBC event store. A
 * backend created by the harness owns its database (a temporary file, schemas) and removes it on close; one
 * {@linkplain #attach attached} in a forked JVM only opens what the harness created. Subjects are opened on first
 * use. Not thread-safe to open; the subjects are.
 */
abstract class Backend implements AutoCloseable {
    /** Relato, appending in transactions of its own. */
    static final String RELATO = "relato";
    /** The leanest correct plain-JDBC code. */
    static final String JDBC = "jdbc";
    /** Plain JDBC on tables of Relato's shape, with a version check before each insert. */
    static final String JDBC_WIDE = "jdbc-wide";
    /** Axon Framework's {@code JdbcEventStorageEngine}. */
    static final String AXON = "axon";
    /** Relato appending inside transactions the caller owns ({@code PostgresEventStore.append(Connection, …)}). */
    static final String RELATO_CALLER_TX = "relato-caller-tx";
    /**
     * Relato with the personal fields of the account events (owner, references) encrypted by a
     * {@code PersonalDataStore}, data keys beside the events.
     */
    static final String RELATO_ENCRYPTED = "relato-encrypted";

    private final Map<String, Subject> open = new LinkedHashMap<>();

    /** {@code memory}, {@code sqlite} or {@code postgres}. */
    abstract String name();

    /** The line above this store's block of results. */
    String title() {
        return name();
    }

    /** Every kind of subject this backend can open, in the order of the results' columns. */
    abstract List<String> kinds();

    /**
     * Opens a subject of one of {@link #kinds()}.
     *
     * @throws IllegalArgumentException if this backend has no such subject
     */
    abstract Subject open(String kind);

    /**
     * What {@link #attach(List)} needs to open this backend's database in another JVM, after the backend name;
     * empty if it cannot be opened elsewhere (the in-memory store).
     */
    abstract Optional<List<String>> attachArguments();

    /** Removes what this backend created; called after the subjects are closed. */
    abstract void cleanUp();

    /** The subject of a kind, opened on first use. */
    final Subject subject(String kind) {
        Subject subject = open.get(kind);
        if (subject == null) {
            if (!kinds().contains(kind)) {
                throw new IllegalArgumentException(name() + " has no subject '" + kind + "'");
            }
            subject = open(kind);
            open.put(kind, subject);
        }
        return subject;
    }

    /** Relato on this backend. */
    final RelatoSubject relato() {
        return (RelatoSubject) subject(RELATO);
    }

    /** The subjects of these peers this backend has, in the order of {@link #kinds()}. */
    final List<Subject> subjects(List<String> peers) {
        List<Subject> subjects = new ArrayList<>();
        for (String kind : kinds()) {
            if (peers.contains(kind)) {
                subjects.add(subject(kind));
            }
        }
        return subjects;
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

    /** Closes the subjects, last opened first, then removes what the backend created. */
    @Override
    public final void close() {
        RuntimeException failure = null;
        List<Subject> subjects = new ArrayList<>(open.values());
        for (int i = subjects.size() - 1; i >= 0; i--) {
            try {
                subjects.get(i).close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        open.clear();
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
