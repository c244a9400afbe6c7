package dev.relato.nats;

import dev.relato.test.contract.WorkflowNode;
import java.util.Arrays;

/**
 * A process of {@link NatsProcessCrashTest}: the workflow on the event stream named in its first argument
 * ({@code <nats url>#<stream>}).
 */
public final class NatsWorkflowNode {
    private NatsWorkflowNode() {
    }

    public static void main(String[] args) throws Exception {
        int hash = args[0].lastIndexOf('#');
        try (NatsEventStore store = NatsEventStore.builder().url(args[0].substring(0, hash))
                .streamName(args[0].substring(hash + 1)).build()) {
            WorkflowNode.run(store, store.deadlines(), store.checkpoints(), store.leases(args[1]),
                    Arrays.asList(args).subList(2, args.length));
        }
    }
}
