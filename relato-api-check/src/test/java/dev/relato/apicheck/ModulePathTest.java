package dev.relato.apicheck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library modules as a user of the module path meets them: they resolve with what they require, the SPI
 * and internal packages stay closed to users, and a user module that opens its event package to Jackson
 * stores and reads its events (README, "Java modules").
 */
class ModulePathTest {
    private static final ModulePath CLASS_PATH = ModulePath.ofClassPath();

    private static final String USER_MODULE = """
            module relato.user {
                requires dev.relato.sqlite;
                exports relato.user;
                opens relato.user.events to com.fasterxml.jackson.databind;
            }
            """;

    private static final String OPENED_EVENT = """
            package relato.user.events;
            public record Deposited(String account, long cents, String note) {}
            """;

    private static final String CLOSED_EVENT = """
            package relato.user.closed;
            public record Withdrawn(String account, long cents) {}
            """;

    /** Uses the store through relato-sqlite alone: core and Jackson come with it (requires transitive). */
    private static final String USER_MAIN = """
            package relato.user;

            import com.fasterxml.jackson.databind.JsonNode;
            import com.fasterxml.jackson.databind.node.ObjectNode;
            import dev.relato.EventData;
            import dev.relato.EventStore;
            import dev.relato.ExpectedVersion;
            import dev.relato.StreamId;
            import dev.relato.serialization.EventSerializer;
            import dev.relato.serialization.EventTypes;
            import dev.relato.serialization.Upcaster;
            import dev.relato.sqlite.SqliteEventStore;
            import java.nio.file.Path;
            import java.util.ArrayList;
            import java.util.List;
            import relato.user.closed.Withdrawn;
            import relato.user.events.Deposited;

            public final class Main {
                private Main() {
                }

                /** Appends a v1 event as JSON and a current one through the serializer, and decodes both. */
                public static List<String> deposits(Path file) {
                    EventSerializer serializer = EventSerializer
                            .builder(EventTypes.builder().register(Deposited.class, "Deposited", 2).build())
                            .upcasters(Upcaster.of("Deposited", 1, (JsonNode tree) -> ((ObjectNode) tree).put("note", "v1")))
                            .build();
                    try (EventStore store = SqliteEventStore.open(file)) {
                        StreamId account = StreamId.of("Account", "a-1");
                        store.append(account, ExpectedVersion.noStream(),
                                List.of(EventData.of("Deposited", "{\\"account\\":\\"a-1\\",\\"cents\\":1250}")));
                        store.append(account, ExpectedVersion.exactly(1),
                                List.of(serializer.serialize(new Deposited("a-1", 500, "v2"))));
                        List<String> decoded = new ArrayList<>();
                        store.read(account).forEach(e -> decoded.add(serializer.deserialize(e).toString()));
                        return decoded;
                    }
                }

                /** Serializes an event of a package the module does not open. */
                public static String withdrawal() {
                    return EventSerializer.of(EventTypes.builder().register(Withdrawn.class).build())
                            .serialize(new Withdrawn("a-1", 200)).payload();
                }
            }
            """;

    @Test
    void theLibraryModulesResolveWithWhatTheyRequireAndExportTheSpiToRelatoOnly() {
        Set<String> relato = CLASS_PATH.relato().keySet();
        ModuleLayer layer = layer(CLASS_PATH.closure(relato), relato);

        Module core = layer.findModule("dev.relato.core").orElseThrow();
        assertThat(core.getDescriptor().exports()).filteredOn(e -> !e.isQualified())
                .extracting(e -> e.source())
                .containsExactlyInAnyOrder("dev.relato", "dev.relato.aggregate", "dev.relato.command", "dev.relato.memory",
                        "dev.relato.observe", "dev.relato.privacy", "dev.relato.process", "dev.relato.projection",
                        "dev.relato.serialization", "dev.relato.snapshot");
        for (String hidden : List.of("dev.relato.spi", "dev.relato.internal")) {
            assertThat(core.isExported(hidden)).as(hidden + " exported to everyone").isFalse();
            for (String store : List.of("dev.relato.sqlite", "dev.relato.postgres", "dev.relato.nats", "dev.relato.test")) {
                assertThat(core.isExported(hidden, layer.findModule(store).orElseThrow()))
                        .as(hidden + " exported to " + store).isTrue();
            }
        }
    }

    @Test
    void aUserModuleThatOpensItsEventsToJacksonStoresAndReadsThem(@TempDir Path dir) throws Throwable {
        Path classes = compile(dir, Map.of(
                "module-info.java", USER_MODULE,
                "relato/user/Main.java", USER_MAIN,
                "relato/user/events/Deposited.java", OPENED_EVENT,
                "relato/user/closed/Withdrawn.java", CLOSED_EVENT));
        List<Path> modulePath = new ArrayList<>(CLASS_PATH.closure(List.of("dev.relato.sqlite")));
        modulePath.add(0, classes);
        ModuleLayer layer = layer(modulePath, List.of("relato.user"));
        Class<?> main = layer.findLoader("relato.user").loadClass("relato.user.Main");

        assertThat(call(main.getMethod("deposits", Path.class), dir.resolve("events.db")))
                .isEqualTo(List.of("Deposited[account=a-1, cents=1250, note=v1]",
                        "Deposited[account=a-1, cents=500, note=v2]"));

        assertThatThrownBy(() -> call(main.getMethod("withdrawal")))
                .satisfies(e -> assertThat(e.getClass().getName()).isEqualTo("dev.relato.InvalidEventException"))
                .hasMessageContaining("relato.user.closed")
                .hasMessageContaining("com.fasterxml.jackson.databind");
    }

    @Test
    void aUserModuleCannotCompileAgainstTheSpi(@TempDir Path dir) {
        String user = """
                package relato.user;
                public final class Store {
                    int limit = dev.relato.spi.AppendValidation.DEFAULT_MAX_EVENT_BYTES;
                }
                """;
        assertThatThrownBy(() -> compile(dir, Map.of("module-info.java", USER_MODULE.replace(
                "opens relato.user.events to com.fasterxml.jackson.databind;", ""), "relato/user/Store.java", user)))
                .hasMessageContaining("package dev.relato.spi is declared in module dev.relato.core, which does not"
                        + " export it to module relato.user");
    }

    /** Compiles one module's sources against the Relato modules and what they require; the output folder. */
    private static Path compile(Path dir, Map<String, String> sources) throws IOException {
        Path src = dir.resolve("src");
        Path out = dir.resolve("classes");
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file.toString());
        }
        // an empty class path: in-process javac would otherwise take this test's class path
        Path noClassPath = Files.createDirectories(dir.resolve("no-class-path"));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--class-path", noClassPath.toString(),
                "--module-path", paths(CLASS_PATH.closure(CLASS_PATH.relato().keySet()))));
        args.addAll(files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        if (javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new)) != 0) {
            throw new AssertionError("the user module does not compile:\n" + diagnostics.toString(UTF_8));
        }
        return out;
    }

    private static ModuleLayer layer(Collection<Path> modulePath, Collection<String> roots) {
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration()
                .resolve(ModuleFinder.of(modulePath.toArray(Path[]::new)), ModuleFinder.of(), roots);
        return boot.defineModulesWithManyLoaders(configuration, ClassLoader.getPlatformClassLoader());
    }

    private static Object call(Method method, Object... args) throws Throwable {
        try {
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String paths(Collection<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
