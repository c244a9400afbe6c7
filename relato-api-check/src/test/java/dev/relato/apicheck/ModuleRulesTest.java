package dev.relato.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

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

    /**
     * The BOM lists every module with a descriptor, and beside them the modules that are automatic modules by design
     * (the Spring Boot integration: Spring Boot 3's own jars have no descriptors), which name themselves with an
     * {@code Automatic-Module-Name} in their pom and are checked by their own tests instead.
     */
    @Test
    void theBomListsEveryLibraryModule() throws Exception {
        Set<String> artifacts = new TreeSet<>();
        Path root = null;
        for (ModuleReference module : modules.values()) {
            Path folder = ModulePath.sourceFolder(module);
            artifacts.add(folder.getFileName().toString());
            root = folder.getParent();
        }
        Document bom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(root.resolve("relato-bom").resolve("pom.xml").toFile());
        NodeList managed = bom.getElementsByTagName("artifactId");
        Set<String> listed = new TreeSet<>();
        for (int i = 1; i < managed.getLength(); i++) { // the first is the BOM's own
            listed.add(managed.item(i).getTextContent());
        }
        for (String artifact : listed) {
            Path pom = root.resolve(artifact).resolve("pom.xml");
            if (!artifacts.contains(artifact) && Files.isRegularFile(pom)
                    && Files.readString(pom).contains("<Automatic-Module-Name>dev.relato.")) {
                artifacts.add(artifact);
            }
        }
        assertThat(listed).as("modules relato-bom manages").isEqualTo(artifacts);
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
