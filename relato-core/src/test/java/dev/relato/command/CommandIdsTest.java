package dev.relato.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Derived ids are name-based UUIDs (version 3) of "cause/purpose": the same in every process and every release, so
 * that a command re-sent after an upgrade still finds the events its first attempt appended.
 */
class CommandIdsTest {

    @Test
    void derivedIdsAreTheNameBasedUuidsOfCauseAndPurpose() {
        for (int i = 0; i < 100; i++) {
            UUID cause = UUID.randomUUID();
            String purpose = "event/" + i;

            UUID derived = Command.derivedId(cause, purpose);

            assertThat(derived).isEqualTo(UUID.nameUUIDFromBytes((cause + "/" + purpose)
                    .getBytes(StandardCharsets.UTF_8)));
            assertThat(derived.version()).isEqualTo(3);
            assertThat(Command.eventId(cause, i)).isEqualTo(derived);
        }
    }

    @Test
    void eventIdsOfAnyIndexAndOfIdsWithLeadingZerosAreTheSameNameBasedUuids() {
        for (UUID cause : new UUID[] {new UUID(0, 1), new UUID(0x0000_0001_0002_0003L, 0x0004_0000_0000_0005L),
                new UUID(-1, -1), UUID.randomUUID()}) {
            for (int index : new int[] {0, 9, 10, 99, 100, 12_345, Integer.MAX_VALUE}) {
                assertThat(Command.eventId(cause, index)).isEqualTo(UUID.nameUUIDFromBytes((cause + "/event/" + index)
                        .getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(Command.derivedId(cause, "über/€")).isEqualTo(UUID.nameUUIDFromBytes((cause + "/über/€")
                    .getBytes(StandardCharsets.UTF_8)));
        }
    }
}
