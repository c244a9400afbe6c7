package dev.relato.cli.ops;

/**
 * A shipped migration and whether the schema has it.
 *
 * @param version  its version
 * @param fileName its file name
 * @param state    {@code applied}, {@code pending}, or {@code changed} (applied with other content)
 */
public record MigrationStatus(int version, String fileName, String state) {
}
