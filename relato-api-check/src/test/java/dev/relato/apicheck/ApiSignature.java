package dev.relato.apicheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a module as text: every public or protected type, constructor, method and field of the
 * packages it exports to everyone, one per line, each line starting with its type's binary name. Types come
 * in name order, each with its declaration line first and its members sorted after it.
 */
final class ApiSignature {
    private ApiSignature() {
    }

    /** The module's API, read by reflection from classes the given loader can load. */
    static List<String> of(ModuleReference module, ClassLoader loader) {
        Set<String> exported = module.descriptor().exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        List<String> lines = new ArrayList<>();
        classNames(module).stream()
                .filter(name -> exported.contains(packageOf(name)))
                .map(name -> load(name, loader))
                .filter(ApiSignature::isApi)
                .sorted(Comparator.comparing(Class::getName))
                .forEach(type -> lines.addAll(linesOf(type)));
        return lines;
    }

    static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }

    /** The binary names of every class in the module. */
    static List<String> classNames(ModuleReference module) {
        try (ModuleReader reader = module.open(); Stream<String> resources = reader.list()) {
            return resources
                    .filter(r -> r.endsWith(".class") && !r.startsWith("META-INF/"))
                    .map(r -> r.substring(0, r.length() - ".class".length()).replace('/', '.'))
                    .filter(name -> !name.endsWith("module-info") && !name.endsWith("package-info"))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the classes of " + module.descriptor().name(), e);
        }
    }

    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("class " + name + " listed in its module cannot be loaded", e);
        }
    }

    /** Public top-level types, and public or protected member types of such types. */
    private static boolean isApi(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        Class<?> enclosing = type.getDeclaringClass();
        if (enclosing == null) {
            return Modifier.isPublic(type.getModifiers());
        }
        return isVisible(type.getModifiers()) && isApi(enclosing);
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static boolean isApi(Member member) {
        return isVisible(member.getModifiers()) && !member.isSynthetic()
                && !(member instanceof Method && ((Method) member).isBridge());
    }

    private static List<String> linesOf(Class<?> type) {
        String prefix = type.getName() + ": ";
        List<String> members = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (isApi(field)) {
                members.add(withoutOwner(field.toGenericString(), type, field.getName()));
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (isApi(constructor)) {
                members.add(constructor.toGenericString()
                        .replace(type.getTypeName() + "(", type.getSimpleName() + "("));
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (isApi(method)) {
                members.add(withoutOwner(method.toGenericString(), type, method.getName()));
            }
        }
        members.sort(Comparator.naturalOrder());
        List<String> lines = new ArrayList<>();
        lines.add(prefix + declaration(type));
        members.forEach(m -> lines.add(prefix + m));
        return lines;
    }

    /** "public static int dev.relato.X.limit()" to "public static int limit()". */
    private static String withoutOwner(String generic, Class<?> owner, String name) {
        return generic.replace(" " + owner.getTypeName() + "." + name, " " + name);
    }

    private static String declaration(Class<?> type) {
        StringBuilder line = new StringBuilder(type.toGenericString().replace(type.getName(), type.getSimpleName()));
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class) {
            line.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0) {
            line.append(type.isInterface() ? " extends " : " implements ").append(names(interfaces));
        }
        if (type.isSealed()) {
            line.append(" permits ").append(names(type.getPermittedSubclasses()));
        }
        return line.toString();
    }

    private static String names(Type[] types) {
        return Arrays.stream(types).map(Type::getTypeName).sorted().collect(Collectors.joining(", "));
    }
}
