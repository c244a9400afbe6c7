package dev.relato.micrometer;

import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;

/** The events of the tests: a counter that is raised. */
sealed interface Counted {
    EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder().registerSealed(Counted.class).build());

    record Raised(int by) implements Counted {
    }
}
