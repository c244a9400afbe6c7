package dev.relato.aggregate;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Supplier;

/** Makes aggregate roots with their class's constructor without arguments, for a repository given only the class. */
final class RootConstructor {
    private RootConstructor() {
    }

    /**
     * A factory calling {@code rootType}'s no-argument constructor.
     *
     * @throws IllegalArgumentException if there is none, or it cannot be called
     */
    static <R> Supplier<R> of(Class<R> rootType) {
        Constructor<R> constructor;
        try {
            constructor = rootType.getDeclaredConstructor();
            constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(rootType.getName() + " has no constructor without arguments; give the "
                    + "repository builder a factory instead, such as " + rootType.getSimpleName() + "::new or "
                    + "() -> new " + rootType.getSimpleName() + "(...)", e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the constructor of " + rootType.getName() + " cannot be called ("
                    + e.getMessage() + "); give the repository builder a factory instead, such as "
                    + rootType.getSimpleName() + "::new", e);
        }
        return () -> {
            try {
                return constructor.newInstance();
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("the constructor of " + rootType.getName() + " failed", e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot make a new " + rootType.getName(), e);
            }
        };
    }
}
