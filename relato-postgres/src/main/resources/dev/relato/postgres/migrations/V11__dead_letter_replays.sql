-- Replays of dead letters that operators asked for, from any process; the projection's runner carries them out.
-- Adding the dead letter again (a new failure) or removing it ends the request.

ALTER TABLE ${schema}.${prefix}dead_letters ADD COLUMN replay_requested boolean NOT NULL DEFAULT false;
