package dev.relato.examples.spring;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** JSON text the store checked when it stored it, written into an answer as it is. */
record RawJson(String json) {
    @JsonValue
    @JsonRawValue
    @Override
    public String json() {
        return json;
    }
}
