package dev.relato.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Random ids are version 4 UUIDs of the IETF variant, and threads with generators of their own never repeat one. */
class RandomIdsTest {

    @Test
    void idsAreRandomUuidsThatNoTwoThreadsRepeat() throws Exception {
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        UUID id = RandomIds.next();
                        assertThat(id.version()).isEqualTo(4);
                        assertThat(id.variant()).isEqualTo(2);
                        assertThat(seen.add(id)).as("id %s repeated", id).isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        assertThat(seen).hasSize(200_000);
    }
}
