package dev.relato.internal;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The entries of a {@link dev.relato.Metadata}, already checked, with their JSON text: either read from a store
 * (kept as text and turned into a map only when an entry is first asked for, since loading an aggregate never
 * looks at its events' metadata) or built from a checked map (encoded once, when a store first writes it, however
 * many events share it). Not part of the API: the package is not exported, and user code gets these entries only
 * through {@code Metadata}. Unmodifiable; thread-safe (the map and the text are computed at most a few times
 * under a race, always to equal values).
 */
public final class MetadataEntries extends AbstractMap<String, String> {
    private final @Nullable Function<String, Map<String, String>> parser;
    private volatile @Nullable Map<String, String> map;
    private volatile @Nullable String json;

    private MetadataEntries(@Nullable Map<String, String> map, @Nullable String json,
                            @Nullable Function<String, Map<String, String>> parser) {
        this.map = map;
        this.json = json;
        this.parser = parser;
    }

    /** Entries checked by {@code Metadata}'s rules, in {@code checked}'s order; the map is kept, not copied. */
    public static MetadataEntries of(Map<String, String> checked) {
        return new MetadataEntries(Collections.unmodifiableMap(checked), null, null);
    }

    /**
     * Entries checked by {@code Metadata}'s rules whose JSON text is already known: {@code json}, exactly as
     * {@code Json.writeMetadata} would write {@code checked}. The map is kept, not copied.
     */
    public static MetadataEntries of(Map<String, String> checked, String json) {
        return new MetadataEntries(Collections.unmodifiableMap(checked), json, null);
    }

    /**
     * Entries stored as {@code json}, a JSON object of at least one entry whose keys and values already passed
     * {@code Metadata}'s rules, turned into a map by {@code parser} when first needed.
     */
    public static MetadataEntries ofJson(String json, Function<String, Map<String, String>> parser) {
        return new MetadataEntries(null, json, parser);
    }

    /** The JSON text of these entries: as read, or {@code encoder}'s text of the map, encoded once. */
    public String json(Function<Map<String, String>, String> encoder) {
        String text = json;
        if (text == null) {
            text = encoder.apply(map());
            json = text;
        }
        return text;
    }

    private Map<String, String> map() {
        Map<String, String> entries = map;
        if (entries == null) {
            entries = Collections.unmodifiableMap(parser.apply(json));
            map = entries;
        }
        return entries;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return map().entrySet();
    }

    @Override
    public int size() {
        return map().size();
    }

    @Override
    public boolean isEmpty() {
        Map<String, String> entries = map;
        return entries == null ? false : entries.isEmpty(); // text alone is never of an empty object
    }

    @Override
    public @Nullable String get(Object key) {
        return map().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map().containsKey(key);
    }
}
