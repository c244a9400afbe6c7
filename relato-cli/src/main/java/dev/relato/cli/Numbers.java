package dev.relato.cli;

import dev.relato.cli.ops.Inputs;

/** Parses the numbers of options, failing with a usage error that names the option. */
final class Numbers {
    private Numbers() {
    }

    static long position(String text) {
        return Inputs.number(text, "position", 0);
    }

    static long version(String text) {
        return Inputs.number(text, "version", 1);
    }

    static long count(String text) {
        return Inputs.number(text, "limit", 1);
    }
}
