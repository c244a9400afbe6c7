package dev.relato.projection;

/**
 * Durable positions of asynchronous consumers: for each consumer name, the global position of the last
 * event it has fully handled. A consumer restarts after its checkpoint, so a lost save costs re-handling
 * (at-least-once), never a skipped event. Implementations are thread-safe.
 */
public interface CheckpointStore {

    /** The consumer's checkpoint; 0 if it has none (start from the beginning). */
    long load(String consumer);

    /**
     * Stores the consumer's checkpoint.
     *
     * @throws IllegalArgumentException if the name is blank or the position negative
     */
    void save(String consumer, long position);

    /** Forgets the consumer's checkpoint, so it starts again from the beginning. */
    void delete(String consumer);

    /** Checks a consumer name: 1 to 200 characters, not blank, no control characters. */
    static String validateName(String consumer) {
        if (consumer == null || consumer.isBlank() || consumer.length() > 200) {
            throw new IllegalArgumentException("consumer name must be 1 to 200 characters and not blank, got '"
                    + consumer + "'");
        }
        for (int i = 0; i < consumer.length(); i++) {
            if (Character.isISOControl(consumer.charAt(i))) {
                throw new IllegalArgumentException("consumer name contains a control character at index " + i);
            }
        }
        return consumer;
    }
}
