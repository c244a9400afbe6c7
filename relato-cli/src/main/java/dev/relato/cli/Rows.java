package dev.relato.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.RecordedEvent;
import dev.relato.cli.ops.MigrationStatus;
import dev.relato.cli.ops.ProjectionInfo;
import dev.relato.cli.ops.StreamSummary;
import dev.relato.projection.DeadLetter;
import java.util.Map;
import java.util.TreeMap;

/** The rows the commands print, one method per kind of thing. */
final class Rows {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Rows() {
    }

    static Map<String, Object> event(RecordedEvent e, boolean json) {
        Map<String, Object> row = Printer.row("position", e.position(), "stream", name(e), "version", e.streamVersion(),
                "type", e.type(), "recorded", e.recordedAt().toString());
        if (json) {
            row.put("eventId", e.eventId().toString());
            row.put("schemaVersion", e.schemaVersion());
            row.put("occurred", e.occurredAt().toString());
            row.put("payload", new Printer.Json(e.payload()));
            row.put("metadata", new Printer.Json(metadataJson(e)));
        } else {
            row.put("payload", new Printer.Json(e.payload()));
        }
        return row;
    }

    static Map<String, Object> stream(StreamSummary s) {
        return Printer.row("stream", s.stream().category() + "-" + s.stream().id(), "version", s.version(),
                "created", s.createdAt().toString(), "position", s.createdPosition());
    }

    static Map<String, Object> projection(ProjectionInfo p) {
        Map<String, Object> row = Printer.row("name", p.name(), "position", p.position(), "head", p.head(),
                "behind", p.behind(), "deadLetters", p.deadLetters(), "paused", p.paused());
        p.state().ifPresent(s -> row.put("state", s));
        p.lastError().ifPresent(s -> row.put("lastError", s));
        return row;
    }

    static Map<String, Object> deadLetter(DeadLetter d, boolean full) {
        Map<String, Object> row = Printer.row("projection", d.projection(), "position", d.position(), "stream",
                d.streamId().category() + "-" + d.streamId().id(), "version", d.streamVersion(), "type", d.type(),
                "attempts", d.attempts(), "failed", d.failedAt().toString(), "error", d.error());
        if (full) {
            row.put("eventId", d.eventId().toString());
            row.put("stackTrace", d.stackTrace());
        }
        return row;
    }

    static Map<String, Object> migration(MigrationStatus m) {
        return Printer.row("version", m.version(), "file", m.fileName(), "state", m.state());
    }

    static String name(RecordedEvent e) {
        return e.streamId().category() + "-" + e.streamId().id();
    }

    private static String metadataJson(RecordedEvent e) {
        try {
            return MAPPER.writeValueAsString(new TreeMap<>(e.metadata().entries()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("cannot write metadata as JSON", ex);
        }
    }
}
