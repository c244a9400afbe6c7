-- Deadlines of process managers: one per (process, instance, name), found by process and due time.

CREATE TABLE ${schema}.${prefix}deadlines (
    id       uuid        NOT NULL,
    process  text        NOT NULL,
    instance text        NOT NULL,
    name     text        NOT NULL,
    due      timestamptz NOT NULL,
    CONSTRAINT ${prefix}deadlines_pkey PRIMARY KEY (id)
);

CREATE INDEX ${prefix}deadlines_due ON ${schema}.${prefix}deadlines (process, due);
