-- Consumers (projections) an operator paused: their runners handle nothing until the row is removed.
-- Kept apart from the checkpoints, so that resetting or deleting a checkpoint leaves the pause in place.

CREATE TABLE ${schema}.${prefix}projection_pauses (
    consumer  text        NOT NULL,
    paused_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ${prefix}projection_pauses_pkey PRIMARY KEY (consumer)
);
