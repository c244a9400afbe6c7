package dev.relato.cli;

import dev.relato.cli.ops.Inputs;
import dev.relato.cli.ops.UsageException;
import dev.relato.privacy.KeyEncryptionKey;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code forget SUBJECT}: crypto-shredding of one subject's personal data. */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = {"Erases the personal data of SUBJECT: destroys its data keys, so every field encrypted under "
                + "them reads as erased, in every store and backup that holds the events.",
                "Destroys data: needs --yes. The key-encryption key is checked against the stored keys first. "
                        + "Snapshots are not touched."},
        footer = {"", "Examples:", "  relato forget customer-42 --kek-env RELATO_KEK --yes --store sqlite:orders.db",
                "  relato forget customer-42 --kek-file /etc/relato/kek --yes --store sqlite:orders.db",
                "  relato forget customer-42 --kek-pkcs12 kek.p12 --kek-alias relato --kek-password-env KEK_PASSWORD"
                        + " --yes --store sqlite:orders.db"})
final class ForgetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Connect connect;

    @Parameters(paramLabel = "SUBJECT", description = "The subject whose personal data to erase.")
    String subject;

    @Option(names = "--kek-env", paramLabel = "VARIABLE",
            description = "Environment variable holding the key-encryption key (base64 of 32 bytes).")
    Optional<String> kekEnv;

    @Option(names = "--kek-file", paramLabel = "FILE", description = "File holding the key-encryption key (base64 of 32 bytes).")
    Optional<Path> kekFile;

    @Option(names = "--kek-pkcs12", paramLabel = "FILE", description = "PKCS#12 key store holding the key-encryption key.")
    Optional<Path> kekPkcs12;

    @Option(names = "--kek-alias", paramLabel = "ALIAS", description = "Its alias in the PKCS#12 key store.")
    Optional<String> kekAlias;

    @Option(names = "--kek-password-env", paramLabel = "VARIABLE",
            description = "Environment variable holding the PKCS#12 key store's password.")
    Optional<String> kekPasswordEnv;

    @Option(names = "--yes", description = "Confirms the erasure.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        Inputs.requireText(subject, "subject", 1000);
        StreamCommand.confirm(yes, "forget");
        KeyEncryptionKey kek = kek();
        connect.run(ops -> {
            int keys = ops.erasure().forget(subject, kek);
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                printer.row(Printer.row("subject", subject, "keysDestroyed", keys));
            }
        });
        return 0;
    }

    /** The key-encryption key from exactly one of the three sources. */
    private KeyEncryptionKey kek() {
        int sources = (kekEnv.isPresent() ? 1 : 0) + (kekFile.isPresent() ? 1 : 0) + (kekPkcs12.isPresent() ? 1 : 0);
        if (sources != 1) {
            throw new UsageException("give the key-encryption key with exactly one of --kek-env, --kek-file or"
                    + " --kek-pkcs12");
        }
        if (kekEnv.isPresent()) {
            return KeyEncryptionKey.fromEnvironment(kekEnv.get());
        }
        if (kekFile.isPresent()) {
            return KeyEncryptionKey.fromFile(kekFile.get());
        }
        if (kekAlias.isEmpty() || kekPasswordEnv.isEmpty()) {
            throw new UsageException("--kek-pkcs12 needs --kek-alias and --kek-password-env");
        }
        String password = System.getenv(kekPasswordEnv.get());
        if (password == null) {
            throw new UsageException("environment variable " + kekPasswordEnv.get() + " (--kek-password-env) is not set");
        }
        return KeyEncryptionKey.fromPkcs12(kekPkcs12.get(), password.toCharArray(), kekAlias.get());
    }
}
