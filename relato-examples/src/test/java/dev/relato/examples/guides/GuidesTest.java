package dev.relato.examples.guides;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Java block of the guides in {@code guides/} is code that compiles and runs: the blocks of each guide, in
 * order, are the regions between {@code // guide:begin} and {@code // guide:end} of its test, whitespace at the
 * left margin aside.
 */
class GuidesTest {
    private static final Path GUIDES = Path.of("..", "guides");
    private static final Path TESTS = Path.of("src", "test", "java", "dev", "relato", "examples", "guides");
    private static final Map<String, String> TEST_OF_GUIDE = Map.of(
            "decider.md", "DeciderGuideTest.java",
            "aggregate-root.md", "AggregateRootGuideTest.java",
            "callers-transaction.md", "TransactionGuideTest.java",
            "inline-read-model.md", "InlineReadModelGuideTest.java",
            "checkpointed-projection.md", "CheckpointedProjectionGuideTest.java");

    @TestFactory
    List<DynamicTest> everyGuideShowsTheCodeOfItsTest() throws IOException {
        try (var files = Files.list(GUIDES)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".md")))
                    .containsExactlyInAnyOrderElementsOf(TEST_OF_GUIDE.keySet());
        }
        List<DynamicTest> tests = new ArrayList<>();
        TEST_OF_GUIDE.forEach((guide, test) -> tests.add(DynamicTest.dynamicTest(guide, () -> {
            List<String> shown = blocks(Files.readAllLines(GUIDES.resolve(guide)), "```java", "```");
            List<String> run = blocks(Files.readAllLines(TESTS.resolve(test)), "// guide:begin", "// guide:end");
            assertThat(shown).as("the Java blocks of %s", guide).isNotEmpty().isEqualTo(run);
        })));
        return tests;
    }

    /** The text between each line that is {@code begin} and the next that is {@code end}, trimmed, left-aligned. */
    private static List<String> blocks(List<String> lines, String begin, String end) {
        List<String> blocks = new ArrayList<>();
        List<String> block = null;
        for (String line : lines) {
            if (block == null && line.strip().equals(begin)) {
                block = new ArrayList<>();
            } else if (block != null && line.strip().equals(end)) {
                blocks.add(leftAligned(block));
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        return blocks;
    }

    private static String leftAligned(List<String> block) {
        int margin = block.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String line : block) {
            text.append(line.isBlank() ? "" : line.substring(margin).stripTrailing()).append('\n');
        }
        return text.toString().strip();
    }
}
