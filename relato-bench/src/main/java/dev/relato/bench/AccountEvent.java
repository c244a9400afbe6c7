package dev.relato.bench;

import dev.relato.privacy.PersonalData;
import java.time.Instant;

/**
 * The events every workload writes and reads: a small bank account, with payloads of about 100 bytes of JSON.
 * Immutable records, thread-safe.
 */
public sealed interface AccountEvent {

    String accountId();

    /** The account was opened. */
    record Opened(String accountId, @PersonalData(subject = "accountId") String owner, Instant openedAt) implements AccountEvent {
    }

    /** Money came in. */
    record Deposited(String accountId, long amountCents,
                     @PersonalData(subject = "accountId") String reference) implements AccountEvent {
    }

    /** Money went out. */
    record Withdrawn(String accountId, long amountCents,
                     @PersonalData(subject = "accountId") String reference) implements AccountEvent {
    }
}
