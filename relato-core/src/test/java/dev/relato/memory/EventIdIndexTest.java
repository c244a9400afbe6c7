package dev.relato.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdIndexTest {

    @Test
    void findsEveryIdPutThroughGrowthAndForgetsRemovedOnes() {
        EventIdIndex index = new EventIdIndex();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            index.put(id, i, 1 + i % 3);
        }
        for (int i = 0; i < ids.size(); i += 2) {
            index.remove(ids.get(i));
        }
        for (int i = 0; i < ids.size(); i++) {
            long place = index.find(ids.get(i));
            if (i % 2 == 0) {
                assertThat(place).isEqualTo(EventIdIndex.ABSENT);
            } else {
                assertThat(EventIdIndex.first(place)).isEqualTo(i);
                assertThat(EventIdIndex.size(place)).isEqualTo(1 + i % 3);
            }
        }
        assertThat(index.find(UUID.randomUUID())).isEqualTo(EventIdIndex.ABSENT);
    }

    @Test
    void idsThatShareTheirHashSlotStayApartAndARemovedSlotIsReused() {
        EventIdIndex index = new EventIdIndex();
        UUID a = new UUID(1, 2);
        UUID b = new UUID(2, 1);
        UUID zero = new UUID(0, 0);
        index.put(a, 0, 1);
        index.put(b, 1, 2);
        index.put(zero, 3, 1);
        index.remove(a);
        assertThat(index.find(a)).isEqualTo(EventIdIndex.ABSENT);
        assertThat(EventIdIndex.first(index.find(b))).isEqualTo(1);
        assertThat(EventIdIndex.first(index.find(zero))).isEqualTo(3);
        index.put(a, 7, 4);
        assertThat(EventIdIndex.first(index.find(a))).isEqualTo(7);
        assertThat(EventIdIndex.size(index.find(a))).isEqualTo(4);
        for (int i = 0; i < 1_000; i++) {
            UUID id = new UUID(i, -i);
            index.put(id, i, 1);
            index.remove(id);
        }
        assertThat(EventIdIndex.size(index.find(b))).isEqualTo(2);
    }

    @Test
    void aProbeServesTheLookUpAndTheInsertionOfABatchWithRoomReserved() {
        EventIdIndex index = new EventIdIndex();
        for (int i = 0; i < 10; i++) {
            index.put(new UUID(i, i), i, 1);
        }
        List<UUID> batch = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        index.reserve(batch.size());
        int probe = index.probe(batch.get(0));
        assertThat(probe).isNegative();
        assertThat(index.placeAt(probe)).isEqualTo(EventIdIndex.ABSENT);
        index.putAt(probe, batch.get(0), 10, batch.size());
        for (int i = 1; i < batch.size(); i++) {
            index.put(batch.get(i), 10, batch.size());
        }
        for (UUID id : batch) {
            int found = index.probe(id);
            assertThat(found).isNotNegative();
            assertThat(EventIdIndex.first(index.placeAt(found))).isEqualTo(10);
            assertThat(EventIdIndex.size(index.placeAt(found))).isEqualTo(4);
        }
        assertThat(EventIdIndex.first(index.find(new UUID(3, 3)))).isEqualTo(3);
    }
}
