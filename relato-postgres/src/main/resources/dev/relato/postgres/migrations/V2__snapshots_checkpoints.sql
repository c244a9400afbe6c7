-- Latest snapshot of each stream, and the checkpoints of asynchronous consumers.

CREATE TABLE ${schema}.${prefix}snapshots (
    category       text        NOT NULL,
    stream_id      text        NOT NULL,
    version        bigint      NOT NULL,
    schema_version integer     NOT NULL,
    payload        jsonb       NOT NULL,
    taken_at       timestamptz NOT NULL,
    CONSTRAINT ${prefix}snapshots_pkey PRIMARY KEY (category, stream_id)
);

CREATE TABLE ${schema}.${prefix}checkpoints (
    consumer   text        NOT NULL,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT ${prefix}checkpoints_pkey PRIMARY KEY (consumer),
    CONSTRAINT ${prefix}checkpoints_position_check CHECK (position >= 0)
);
