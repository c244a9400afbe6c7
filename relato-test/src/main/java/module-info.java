/**
 * The contract suites every Relato store passes ({@code dev.relato.test.contract}) and the given/when/then
 * fixtures for the programming model ({@code dev.relato.test.fixture}), on JUnit 5 and AssertJ.
 */
module dev.relato.test {
    requires transitive dev.relato.core;
    requires transitive org.junit.jupiter.api;
    requires org.assertj.core;
    requires static org.jspecify;

    exports dev.relato.test.contract;
    exports dev.relato.test.fixture;

    // JUnit runs the suites' package-private test methods and nested classes reflectively
    opens dev.relato.test.contract to org.junit.platform.commons, com.fasterxml.jackson.databind;
}
