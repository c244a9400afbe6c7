package dev.relato.cli;

import picocli.CommandLine;

/** The version of the jar, as {@code --version} prints it. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = RelatoCli.class.getPackage().getImplementationVersion();
        return new String[] {"relato " + (version == null ? "(development build)" : version)};
    }
}
