-- Events projections skipped (dead letters), and the leases that give each projection (or partition of one)
-- to a single node at a time.

CREATE TABLE ${schema}.${prefix}dead_letters (
    projection     text        NOT NULL,
    position       bigint      NOT NULL,
    event_id       uuid        NOT NULL,
    category       text        NOT NULL,
    stream_id      text        NOT NULL,
    stream_version bigint      NOT NULL,
    type           text        NOT NULL,
    error          text        NOT NULL,
    stack_trace    text        NOT NULL,
    attempts       integer     NOT NULL,
    failed_at      timestamptz NOT NULL,
    CONSTRAINT ${prefix}dead_letters_pkey PRIMARY KEY (projection, position)
);

CREATE TABLE ${schema}.${prefix}projection_leases (
    name       text        NOT NULL,
    owner      text        NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT ${prefix}projection_leases_pkey PRIMARY KEY (name)
);
