package dev.relato.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.EventData;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.serialization.EventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The steps of a process instance as events of its stream, type {@value #TYPE}: the input, the state after it,
 * the deadlines pending after it, the commands it sent and whether it finished the process. Written and read with
 * the serializer's codec for the state. Thread-safe.
 */
final class ProcessSteps<S> {
    static final String TYPE = "ProcessStep";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventCodec codec;
    private final Class<S> stateClass;

    ProcessSteps(EventCodec codec, Class<S> stateClass) {
        this.codec = codec;
        this.stateClass = stateClass;
    }

    /** One recorded step. */
    record Step<S>(UUID id, S state, Map<String, Instant> pending, boolean finished) {
    }

    EventData write(UUID stepId, Object input, UUID inputId, S state, Map<String, Instant> pending,
                    List<String> commands, boolean finished, Metadata metadata) {
        ObjectNode step = JSON.createObjectNode();
        step.put("input", input.getClass().getSimpleName());
        step.put("inputId", inputId.toString());
        step.set("state", codec.readTree(codec.encode(state)));
        ObjectNode due = step.putObject("pending");
        pending.forEach((name, at) -> due.put(name, at.toString()));
        commands.forEach(step.putArray("commands")::add);
        step.put("finished", finished);
        return new EventData(stepId, TYPE, 1, step.toString(), metadata);
    }

    List<Step<S>> read(List<RecordedEvent> records) {
        List<Step<S>> steps = new ArrayList<>(records.size());
        for (RecordedEvent record : records) {
            if (!record.type().equals(TYPE)) {
                throw new IllegalStateException("stream '" + record.streamId() + "' holds a " + record.type()
                        + " event at version " + record.streamVersion() + "; a process stream holds only its steps");
            }
            JsonNode step = codec.readTree(record.payload());
            Map<String, Instant> pending = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = step.path("pending").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                pending.put(entry.getKey(), Instant.parse(entry.getValue().asText()));
            }
            steps.add(new Step<>(record.eventId(), codec.fromTree(step.get("state"), stateClass), Map.copyOf(pending),
                    step.path("finished").asBoolean()));
        }
        return steps;
    }
}
