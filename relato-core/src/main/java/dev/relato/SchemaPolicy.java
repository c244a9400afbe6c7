package dev.relato;

/**
 * What a SQL store does with its tables when it is built: one option, {@code schemaPolicy(…)}, on the builders of
 * the SQLite and PostgreSQL stores.
 */
public enum SchemaPolicy {
    /**
     * Creates the tables if absent and applies the migrations not yet applied, recording them; idempotent and safe
     * from several processes at once.
     */
    MIGRATE,
    /**
     * Changes nothing, and refuses to build the store, with a {@link StoreFailureException} naming what is missing
     * and how to apply it, unless every migration this version ships is applied (by {@link #MIGRATE} or by an
     * external tool from the store's printed script).
     */
    VALIDATE,
    /**
     * Neither changes nor checks anything: the schema is left to an external tool (Flyway, Liquibase, a DBA), and a
     * missing table surfaces at the first operation that needs it.
     */
    EXTERNAL
}
