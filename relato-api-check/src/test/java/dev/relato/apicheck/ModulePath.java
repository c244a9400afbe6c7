package dev.relato.apicheck;

import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The modules on this test's class path, found entry by entry as the module system would see them on the
 * module path: the Relato modules by their descriptors, and the jars they require.
 */
final class ModulePath {
    static final String RELATO_PREFIX = "dev.relato.";

    private final Map<String, ModuleReference> modules;

    private ModulePath(Map<String, ModuleReference> modules) {
        this.modules = modules;
    }

    /** Every entry of {@code java.class.path} that is a module (named, or automatic for a plain jar). */
    static ModulePath ofClassPath() {
        Map<String, ModuleReference> found = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.exists(path)) {
                continue;
            }
            try {
                for (ModuleReference module : ModuleFinder.of(path).findAll()) {
                    found.putIfAbsent(module.descriptor().name(), module);
                }
            } catch (FindException notAModule) {
                // a jar no module name can be derived from: never required by a Relato module
            }
        }
        return new ModulePath(found);
    }

    /** The Relato modules, by name. */
    Map<String, ModuleReference> relato() {
        Map<String, ModuleReference> relato = new TreeMap<>();
        modules.forEach((name, module) -> {
            if (name.startsWith(RELATO_PREFIX)) {
                relato.put(name, module);
            }
        });
        return relato;
    }

    /** The folder of a Relato module's sources: the one holding the target folder its classes or jar are in. */
    static Path sourceFolder(ModuleReference module) {
        Path location = Path.of(module.location().orElseThrow()).toAbsolutePath();
        for (Path p = location; p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals("target")) {
                return p.getParent();
            }
        }
        throw new AssertionError(module.descriptor().name() + " was not built into a target folder: " + location);
    }

    Optional<ModuleReference> find(String name) {
        return Optional.ofNullable(modules.get(name));
    }

    /**
     * The locations of the given modules and of every module they require, transitively ({@code requires
     * static} left out, as at run time), without the platform's own modules.
     */
    List<Path> closure(Collection<String> roots) {
        Map<String, Path> paths = new LinkedHashMap<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        Set<String> platform = ModuleFinder.ofSystem().findAll().stream()
                .map(m -> m.descriptor().name()).collect(Collectors.toSet());
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (paths.containsKey(name) || platform.contains(name)) {
                continue;
            }
            ModuleReference module = find(name).orElseThrow(
                    () -> new AssertionError("module " + name + " is not on the test class path"));
            paths.put(name, Path.of(module.location().orElseThrow()));
            for (ModuleDescriptor.Requires requires : module.descriptor().requires()) {
                if (!requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    todo.push(requires.name());
                }
            }
        }
        return List.copyOf(paths.values());
    }
}
