package dev.relato.observe;

/** The observer that records nothing. */
final class NoObserver implements RelatoObserver {
    static final NoObserver INSTANCE = new NoObserver();

    private NoObserver() {
    }

    @Override
    public String toString() {
        return "RelatoObserver.none()";
    }
}
