package dev.relato.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/** The rules every Relato library module's edges keep. */
class ModuleRulesTest {
    private static final Pattern RELATO_TYPE = Pattern.compile("\\bdev\\.relato(?:\\.[a-z_][a-z0-9_]*)*\\.[A-Z][\\w$]*");
    private static final ClassLoader LOADER = ModuleRulesTest.class.getClassLoader();

    private final Map<String, ModuleReference> modules = ModulePath.ofClassPath().relato();

    @Test
    void noSignatureUsersCallNamesATypeOfAPackageTheyCannotRead() {
        Set<String> exported = modules.values().stream()
                .flatMap(m -> m.descriptor().exports().stream())
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        Set<String> leaks = new TreeSet<>();
        for (ModuleReference module : modules.values()) {
            for (String line : ApiSignature.of(module, LOADER)) {
                Matcher type = RELATO_TYPE.matcher(line);
                while (type.find()) {
                    if (!exported.contains(ApiSignature.packageOf(type.group()))) {
                        leaks.add(type.group() + " in " + line);
                    }
                }
            }
        }
        assertThat(leaks).as("types of packages exported to Relato's modules only (dev.relato.spi,"
                + " dev.relato.internal) named in the public API").isEmpty();
    }

    @Test
    void everyPackageOfEveryModuleIsNullMarked() {
        Set<String> unmarked = new TreeSet<>();
        for (ModuleReference module : modules.values()) {
            Set<String> packages = ApiSignature.classNames(module).stream()
                    .map(ApiSignature::packageOf).collect(Collectors.toSet());
            for (String pkg : packages) {
                try {
                    if (!Class.forName(pkg + ".package-info", false, LOADER).isAnnotationPresent(NullMarked.class)) {
                        unmarked.add(pkg + ": package-info.java without @NullMarked");
                    }
                } catch (ClassNotFoundException e) {
                    unmarked.add(pkg + ": no package-info.java");
                }
            }
        }
        assertThat(unmarked).as("packages of the Relato modules not null-marked").isEmpty();
    }
}
