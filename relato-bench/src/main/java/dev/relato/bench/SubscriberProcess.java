package dev.relato.bench;

import java.time.Duration;
import java.util.List;

/**
 * The subscriber in another process of the delivery-latency measurement: opens Relato on the harness's database,
 * subscribes (see {@link Deliveries}), prints {@code READY} once live, and after every expected event arrived prints
 * one line {@code AT <position> <nanoTime>} per event, then {@code DONE}. Exits with a non-zero status if the
 * events do not all arrive within two minutes.
 */
final class SubscriberProcess {
    static final String READY = "READY";
    static final String AT = "AT";
    static final String DONE = "DONE";

    private SubscriberProcess() {
    }

    /** Arguments: the number of events to wait for, then the backend's attach command. */
    public static void main(String[] args) throws Exception {
        int expected = Integer.parseInt(args[0]);
        List<String> attach = List.of(args).subList(1, args.length);
        try (Backend backend = Backend.attach(attach);
             Deliveries deliveries = new Deliveries(backend.relato().store(), expected)) {
            System.out.println(READY);
            System.out.flush();
            deliveries.await(Duration.ofMinutes(2));
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < deliveries.size(); i++) {
                out.append(AT).append(' ').append(deliveries.position(i)).append(' ').append(deliveries.deliveredAt(i))
                        .append('\n');
            }
            out.append(DONE).append('\n');
            System.out.print(out);
            System.out.flush();
        }
    }
}
