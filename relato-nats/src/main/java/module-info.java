/** The NATS JetStream event store, with snapshots, checkpoints and leases in key-value buckets. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // jnats is an automatic module
module dev.relato.nats {
    requires transitive dev.relato.core;
    requires transitive io.nats.jnats;
    requires org.slf4j;
    requires static org.jspecify;

    exports dev.relato.nats;
}
