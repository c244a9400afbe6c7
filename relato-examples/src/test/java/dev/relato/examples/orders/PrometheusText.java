package dev.relato.examples.orders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text exposition (format 0.0.4), for tests that read {@code GET /metrics}. Comment
 * lines are skipped; a line that is neither a comment nor a sample fails the parse. Immutable.
 */
final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private final String body;
    private final List<Sample> samples;

    private PrometheusText(String body, List<Sample> samples) {
        this.body = body;
        this.samples = samples;
    }

    static PrometheusText parse(String body) {
        List<Sample> samples = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                int end = 0;
                while (label.find() && label.start() == end) {
                    labels.put(label.group(1), label.group(2));
                    end = label.end();
                }
                if (end != sample.group(2).length()) {
                    throw new IllegalArgumentException("malformed labels: " + line);
                }
            }
            samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
        }
        return new PrometheusText(body, List.copyOf(samples));
    }

    /** The text as served. */
    String body() {
        return body;
    }

    /** The values of the samples named {@code name} whose labels include every one of {@code labels}. */
    List<Double> samples(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .map(Sample::value).toList();
    }

    /** The sum of {@link #samples}; 0 if there are none. */
    double sum(String name, Map<String, String> labels) {
        return samples(name, labels).stream().mapToDouble(Double::doubleValue).sum();
    }
}
