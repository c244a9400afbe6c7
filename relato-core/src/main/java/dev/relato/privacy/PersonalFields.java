package dev.relato.privacy;

import dev.relato.InvalidInputException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which fields of one event type are personal, and which field names their subject: the policy for event types
 * that cannot carry {@link PersonalData} annotations. Field paths are top-level JSON property names, or
 * dot-separated paths into nested objects ({@code "address.street"}). Immutable and thread-safe.
 *
 * @param subjectField the path of the field whose value identifies the subject; stored in plain text
 * @param fields       the paths of the personal fields, at least one, none equal to or inside the subject field
 */
public record PersonalFields(String subjectField, List<String> fields) {
    public PersonalFields {
        checkPath(subjectField);
        fields = List.copyOf(fields);
        if (fields.isEmpty()) {
            throw new InvalidInputException("personal fields: name at least one field");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String field : fields) {
            checkPath(field);
            if (field.equals(subjectField) || field.startsWith(subjectField + ".")
                    || subjectField.startsWith(field + ".")) {
                throw new InvalidInputException("personal field '" + field + "' overlaps the subject field '"
                        + subjectField + "', which must stay readable to find the subject's key");
            }
            if (!seen.add(field)) {
                throw new InvalidInputException("personal field '" + field + "' is named twice");
            }
        }
    }

    /** The policy: {@code fields} belong to the subject in {@code subjectField}. */
    public static PersonalFields of(String subjectField, String... fields) {
        return new PersonalFields(subjectField, List.of(fields));
    }

    /**
     * The policy a record class declares with {@link PersonalData}, if any component is marked.
     *
     * @throws InvalidInputException if marked components name different or unknown subject components
     */
    public static Optional<PersonalFields> declaredBy(Class<?> eventClass) {
        if (!eventClass.isRecord()) {
            return Optional.empty();
        }
        List<String> fields = new ArrayList<>();
        Set<String> subjects = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (RecordComponent component : eventClass.getRecordComponents()) {
            names.add(component.getName());
            PersonalData mark = component.getAnnotation(PersonalData.class);
            if (mark != null) {
                fields.add(component.getName());
                subjects.add(mark.subject());
            }
        }
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        if (subjects.size() != 1) {
            throw new InvalidInputException(eventClass.getName() + ": its @PersonalData components name different"
                    + " subjects " + subjects + "; one event holds the data of one subject");
        }
        String subject = subjects.iterator().next();
        if (!names.contains(subject)) {
            throw new InvalidInputException(eventClass.getName() + ": @PersonalData(subject = \"" + subject
                    + "\") names no component of the record; its components are " + names);
        }
        return Optional.of(new PersonalFields(subject, fields));
    }

    private static void checkPath(String path) {
        if (path == null || path.isEmpty() || path.length() > 200 || path.startsWith(".") || path.endsWith(".")
                || path.contains("..")) {
            throw new InvalidInputException("field path '" + path + "' is not a dot-separated path of 1 to 200"
                    + " characters");
        }
    }
}
