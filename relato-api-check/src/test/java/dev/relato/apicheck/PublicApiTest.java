package dev.relato.apicheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The public API of every Relato library module against the file committed beside its sources,
 * {@code <module folder>/api/<module name>.txt}, so that no change to it goes unnoticed. With
 * {@code -Drelato.api.update=true} it rewrites the files instead ({@link #UPDATE_COMMAND}).
 */
class PublicApiTest {
    static final String UPDATE_COMMAND = "mvn -B -q -pl relato-api-check -am test -Dtest=PublicApiTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Drelato.api.update=true";

    @Test
    void theApiOfEveryModuleMatchesItsCommittedFile() throws IOException {
        Map<String, ModuleReference> modules = ModulePath.ofClassPath().relato();
        assertThat(modules).as("Relato modules on the class path").containsKeys("dev.relato.core", "dev.relato.test",
                "dev.relato.sqlite", "dev.relato.postgres", "dev.relato.nats", "dev.relato.micrometer",
                "dev.relato.opentelemetry");
        boolean update = Boolean.getBoolean("relato.api.update");
        List<String> problems = new ArrayList<>();
        for (ModuleReference module : modules.values()) {
            String name = module.descriptor().name();
            Path file = apiFile(module);
            List<String> actual = ApiSignature.of(module, PublicApiTest.class.getClassLoader());
            if (update) {
                write(file, name, actual);
            } else if (!Files.exists(file)) {
                problems.add(name + " has no API file " + file);
            } else {
                String diff = diff(read(file), actual);
                if (!diff.isEmpty()) {
                    problems.add("the public API of " + name + " differs from " + file
                            + " (- only in the file, + only in the classes):\n" + diff);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems) + "\n\nIf the change is intended, regenerate the API files and commit"
                    + " them with the change:\n  " + UPDATE_COMMAND);
        }
    }

    /** {@code <module folder>/api/<module name>.txt}. */
    private static Path apiFile(ModuleReference module) {
        return ModulePath.sourceFolder(module).resolve("api").resolve(module.descriptor().name() + ".txt");
    }

    private static void write(Path file, String module, List<String> api) throws IOException {
        List<String> content = new ArrayList<>();
        content.add("# The public API of module " + module + ", checked on every build by relato-api-check.");
        content.add("# After an intended change, regenerate the files of every module with");
        content.add("#   " + UPDATE_COMMAND);
        content.addAll(api);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private static List<String> read(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .collect(Collectors.toList());
    }

    /** The lines only in {@code committed} (-) and only in {@code actual} (+), each in its list's order. */
    private static String diff(List<String> committed, List<String> actual) {
        Set<String> inActual = new LinkedHashSet<>(actual);
        Set<String> inCommitted = new LinkedHashSet<>(committed);
        StringBuilder out = new StringBuilder();
        committed.stream().filter(line -> !inActual.contains(line))
                .forEach(line -> out.append("- ").append(line).append('\n'));
        actual.stream().filter(line -> !inCommitted.contains(line))
                .forEach(line -> out.append("+ ").append(line).append('\n'));
        return out.toString();
    }
}
