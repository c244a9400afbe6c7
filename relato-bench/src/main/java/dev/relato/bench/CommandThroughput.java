package dev.relato.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.command.CommandBus;
import dev.relato.command.CommandMiddleware;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Commands per second through the handler pipeline, beside the same work written by hand: each command deposits
 * into an account, which is loaded, decided on by {@link Account} and appended to. The pipeline sends it through a
 * {@link CommandBus} (a decider route, validation and logging middleware, command ids and the event ids derived from
 * them, the observer hook); the plain code validates the same way and calls {@link DeciderRepository#handle} on the
 * same repository. 1 and 8 writers, each on accounts of its own (10 commands per account, so no writes conflict),
 * rounds of the two interleaved in one JVM (in alternating order), each pipeline round divided by the plain round
 * beside it, the median of those ratios reported with its quartiles and range. Every round checks the versions it
 * was answered.
 *
 * <pre>java -cp relato-bench/target/relato-bench.jar dev.relato.bench.CommandThroughput [sqlite,postgres] [rounds] [commands per round]</pre>
 *
 * PostgreSQL is {@code -Drelato.pg.url} (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), in a
 * schema of its own that is dropped at the end. Prints one line per backend and writer count: both rates and the
 * pipeline's rate divided by the plain one (target: at least 0.9).
 */
public final class CommandThroughput {
    /** The target: the pipeline's rate at least this share of the plain code's. */
    static final double TARGET = 0.9;
    private static final int COMMANDS_PER_ACCOUNT = 10;
    private static final int WARMUPS = 1;
    private static final EventSerializer SERIALIZER = EventSerializer.of(Account.TYPES);

    private CommandThroughput() {
    }

    /**
     * One backend and writer count: the medians of both rates, in commands per second, and the pipeline's rate
     * divided by the plain one round by round (each pipeline round ran next to a plain one).
     */
    record Figures(String backend, int writers, PairedRatio paired, PairedRatio perCpu) {
        double pipeline() {
            return paired.other();
        }

        double plain() {
            return paired.base();
        }

        /** The median of the rounds' pipeline/plain ratios. */
        double ratio() {
            return paired.median();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-9s %d writer%s  pipeline %,9.0f  plain %,9.0f  pipeline/plain %.2f"
                            + " (%s)%s%n          per CPU second of this JVM: pipeline/plain %.2f (%s)", backend,
                    writers, writers == 1 ? " " : "s", pipeline(), plain(), ratio(), paired.spread(),
                    ratio() >= TARGET ? "" : "  (target >= " + TARGET + " MISSED)", perCpu.median(), perCpu.spread());
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> backends = List.of((args.length > 0 ? args[0] : "sqlite,postgres").split(","));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int commands = args.length > 2 ? Integer.parseInt(args[2]) : 800;
        System.out.println("commands per second, " + WARMUPS + " warm-up + " + rounds + " measured rounds of "
                + commands + " commands, medians (ratios: median of the paired rounds' ratios); " + Runtime.getRuntime().availableProcessors() + " CPUs");
        String pgUrl = System.getProperty("relato.pg.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        for (String backend : backends) {
            for (Figures figures : run(backend, pgUrl, rounds, commands)) {
                System.out.println(figures);
            }
        }
    }

    /**
     * Both writer counts on a fresh store of {@code backend}: {@code sqlite} (a temporary file) or {@code postgres}
     * (a new schema of the database at {@code pgUrl}).
     */
    static List<Figures> run(String backend, String pgUrl, int rounds, int commands) throws Exception {
        List<AutoCloseable> cleanUp = new ArrayList<>();
        try {
            EventStore store = open(backend, pgUrl, cleanUp);
            return List.of(measure(backend, store, 1, rounds, commands), measure(backend, store, 8, rounds, commands));
        } finally {
            for (AutoCloseable resource : cleanUp) {
                resource.close();
            }
        }
    }

    private static EventStore open(String backend, String url, List<AutoCloseable> cleanUp) throws Exception {
        switch (backend) {
            case "sqlite" -> {
                Path directory = Files.createTempDirectory("relato-commands-");
                cleanUp.add(() -> {
                    try (var files = Files.walk(directory)) {
                        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(path);
                        }
                    }
                });
                SqliteEventStore store = SqliteEventStore.builder().path(directory.resolve("commands.db")).build();
                cleanUp.add(0, store);
                return store;
            }
            case "postgres" -> {
                String schema = "relato_commands_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(url);
                config.setMaximumPoolSize(10);
                HikariDataSource pool = new HikariDataSource(config);
                cleanUp.add(() -> {
                    try (Connection connection = DriverManager.getConnection(url);
                         Statement statement = connection.createStatement()) {
                        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    }
                });
                cleanUp.add(0, pool);
                PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
                cleanUp.add(0, store);
                store.migrate();
                return store;
            }
            default -> throw new IllegalArgumentException("unknown backend " + backend + "; use sqlite or postgres");
        }
    }

    /** The pipeline and the plain code, their rounds interleaved, with {@code writers} writers. */
    static Figures measure(String backend, EventStore store, int writers, int rounds, int commands) throws Exception {
        DeciderRepository<Account.Command, AccountEvent, Account.State> accounts = DeciderRepository
                .builder(store, SERIALIZER, Account.CATEGORY, AccountEvent.class, new Account()).build();
        CommandBus bus = CommandBus.builder(store)
                .decider(Account.Deposit.class, accounts, Account.Deposit::accountId)
                .middleware(CommandMiddleware.validating(CommandThroughput::validate))
                .middleware(CommandMiddleware.logging())
                .build();
        int perWriter = Math.max(COMMANDS_PER_ACCOUNT, commands / writers);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Handler pipeline = deposit -> bus.send(deposit).version();
        Handler plain = deposit -> {
            validate(deposit);
            return accounts.handle(deposit.accountId(), deposit).version();
        };
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        try {
            List<List<double[]>> measured = Rounds.measured(WARMUPS, rounds, List.of(
                    r -> round(threads, writers, perWriter, run + "-bus-" + writers + "-" + r, pipeline),
                    r -> round(threads, writers, perWriter, run + "-plain-" + writers + "-" + r, plain)));
            return new Figures(backend, writers, PairedRatio.of(measured.get(1), measured.get(0), 0),
                    PairedRatio.of(measured.get(1), measured.get(0), 1));
        } finally {
            threads.shutdown();
        }
    }

    private static void validate(Object command) {
        if (command instanceof Account.Deposit deposit && deposit.amountCents() <= 0) {
            throw new IllegalArgumentException("a deposit must be positive, got " + deposit.amountCents());
        }
    }

    /** Handles one deposit; returns the account's version after it. */
    @FunctionalInterface
    private interface Handler {
        long handle(Account.Deposit deposit);
    }

    /**
     * One round: each writer sends {@code perWriter} deposits to accounts of its own; commands per second, and per
     * CPU second of this JVM.
     */
    private static double[] round(ExecutorService threads, int writers, int perWriter, String prefix, Handler handler)
            throws Exception {
        List<Future<?>> done = new ArrayList<>();
        long cpu = ProcessCpu.nanos();
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            String writer = prefix + "-" + w;
            done.add(threads.submit(() -> {
                for (int i = 0; i < perWriter; i++) {
                    String account = writer + "-" + i / COMMANDS_PER_ACCOUNT;
                    long version = handler.handle(new Account.Deposit(account, 1_000 + i, "ref-" + i));
                    if (version != i % COMMANDS_PER_ACCOUNT + 1) {
                        throw new IllegalStateException("account " + account + " at version " + version
                                + " after command " + (i % COMMANDS_PER_ACCOUNT + 1));
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : done) {
            writer.get();
        }
        long commands = (long) writers * perWriter;
        return new double[] {Rounds.rate(commands, System.nanoTime() - start), ProcessCpu.rate(commands, cpu,
                ProcessCpu.nanos())};
    }
}
