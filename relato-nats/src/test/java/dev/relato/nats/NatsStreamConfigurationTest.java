package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import io.nats.client.Connection;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NatsServerCondition.class)
class NatsStreamConfigurationTest {
    private Connection connection;
    private String streamName;

    @BeforeEach
    void setUp() {
        connection = NatsTestServer.connect();
        streamName = NatsTestServer.uniqueName("relato-config");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (connection != null) {
            NatsTestServer.deleteEventStore(connection, streamName);
            connection.close();
        }
    }

    @Test
    void anExistingStreamWithLimitsIsRefusedWithWhatDiffers() throws Exception {
        connection.jetStreamManagement().addStream(StreamConfiguration.builder().name(streamName)
                .subjects(streamName + ".>").storageType(StorageType.File).maxAge(Duration.ofDays(7)).build());

        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName).build())
                .isInstanceOf(NatsConfigurationException.class)
                .hasMessageContaining(streamName)
                .hasMessageContaining("max age")
                .hasMessageContaining("discard policy");
    }

    @Test
    void anExistingStreamWhoseSubjectsDoNotCoverOursIsRefused() throws Exception {
        connection.jetStreamManagement().addStream(StreamConfiguration.builder().name(streamName)
                .subjects("elsewhere.>").storageType(StorageType.File).build());

        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName)
                .subjectPrefix("mine").build())
                .isInstanceOf(NatsConfigurationException.class)
                .hasMessageContaining("do not cover 'mine.>'");
    }

    @Test
    void aStoreAcceptsTheStreamItCreatedAndChecksItsSettings() {
        NatsEventStore.builder().connection(connection).streamName(streamName).build().close();
        NatsEventStore.builder().connection(connection).streamName(streamName).build().close();

        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName)
                .storage(StorageType.Memory).build())
                .isInstanceOf(NatsConfigurationException.class).hasMessageContaining("storage is file");
        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName)
                .duplicateWindow(Duration.ofMinutes(5)).build())
                .isInstanceOf(NatsConfigurationException.class).hasMessageContaining("duplicate window");
    }

    @Test
    void subjectsTakenByAnotherStreamAreReported() {
        NatsEventStore.builder().connection(connection).streamName(streamName).build().close();
        String other = NatsTestServer.uniqueName("relato-config");
        try {
            assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(other)
                    .subjectPrefix(streamName).build())
                    .isInstanceOf(NatsConfigurationException.class)
                    .hasMessageContaining("overlap");
        } finally {
            NatsTestServer.deleteEventStore(connection, other);
        }
    }

    @Test
    void memoryStorageIsCreatedAndChecked() {
        try (NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(streamName)
                .storage(StorageType.Memory).build()) {
            store.append(StreamId.of("Mem", "1"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Kept", "{}")));
            assertThat(store.read(StreamId.of("Mem", "1"))).hasSize(1);
        }
        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName).build())
                .isInstanceOf(NatsConfigurationException.class).hasMessageContaining("storage is memory");
    }

    @Test
    void eventsMustFitInOneMessageOfTheServer() {
        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName)
                .maxEventBytes(2 << 20).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max payload");
        try (NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(streamName).build()) {
            assertThat(store.maxEventBytes()).isLessThan((int) connection.getMaxPayload());
        }
    }

    @Test
    void replicasTheServerCannotProvideAreReported() {
        assertThatThrownBy(() -> NatsEventStore.builder().connection(connection).streamName(streamName)
                .replicas(3).build())
                .isInstanceOf(NatsConfigurationException.class).hasMessageContaining("replica");
    }

    @Test
    void invalidNamesAreRejectedUpFront() {
        assertThatThrownBy(() -> NatsEventStore.builder().streamName("a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatsEventStore.builder().streamName("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatsEventStore.builder().subjectPrefix("a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatsEventStore.builder().subjectPrefix("a.*")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Names.covers(">", "x.>")).isTrue();
        assertThat(Names.covers("x.>", "x.>")).isTrue();
        assertThat(Names.covers("x.*", "x.>")).isFalse();
        assertThat(Names.covers("y.>", "x.>")).isFalse();
        assertThat(List.of("é", "a.b", "*", ">", " ")).allSatisfy(id ->
                assertThat(Names.decode(Names.encode(id))).isEqualTo(id));
    }
}
