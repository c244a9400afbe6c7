-- Appends without a head row: a stream's version is its highest stored event, and the unique
-- (category, stream_id, stream_version) key is the only arbiter between writers of one stream. A single-event append
-- is one insert of the version after the expected one, which must be stored (checked by the same statement):
--
-- - Expected version: an append of version n + 1 needs version n stored (none for n = 0). Two writers that both
--   expected n collide on the unique key; the second gets a unique violation (the conflict) once the first commits.
-- - Idempotency: the unique event id, as before; the store tells a retry from a duplicate by looking the ids up
--   (append function, p_look_up_ids) once an insert was refused.
-- - Deletion: an append locks the event it follows (FOR KEY SHARE), and delete_stream locks the stream's last
--   event (FOR UPDATE) before deleting, so an append never lands behind a concurrent delete. The first event of a
--   stream is guarded by the stream's advisory lock (shared by appenders, exclusive to delete_stream), taken by the
--   trigger that refuses appends to a tombstoned stream.
-- - Global order (V1, V5): positions still derive from the writing transaction's id. Within a stream, positions rise
--   with versions: an append's transaction takes its id after the statement that reads (and locks) the previous
--   event began, so that event's writer committed with a lower id. Only a transaction that had an id before the
--   append (a caller's transaction) can sort below it; the append function refuses that as a serialization
--   failure, as before.
--
-- Data migration: the streams table (head rows) held nothing the events do not: its version is the highest
-- stored version of the stream (truncation keeps a stream's last event, deletion removed the head row with the
-- events) and its last position that event's position. It is dropped; the events table does not change.

DROP TRIGGER ${prefix}streams_refuse_tombstoned ON ${schema}.${prefix}streams;
DROP TABLE ${schema}.${prefix}streams;
DROP FUNCTION ${schema}.${prefix}append(text, text, bigint, uuid[], text[], integer[], text[], text[], timestamptz[],
    boolean);

-- The first event of a stream: waits for a delete of the stream in flight, then refuses a tombstoned stream with
-- SQLSTATE RLT01.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}refuse_tombstoned() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended(NEW.category || '/' || NEW.stream_id, 0));
    IF EXISTS (SELECT 1 FROM ${schema}.${prefix}stream_tombstones t
               WHERE t.category = NEW.category AND t.stream_id = NEW.stream_id) THEN
        RAISE EXCEPTION 'stream ''%'' was deleted with a tombstone', NEW.category || '-' || NEW.stream_id
            USING ERRCODE = 'RLT01';
    END IF;
    RETURN NEW;
END;
$fn$;

CREATE TRIGGER ${prefix}events_refuse_tombstoned BEFORE INSERT ON ${schema}.${prefix}events
    FOR EACH ROW WHEN (NEW.stream_version = 1) EXECUTE FUNCTION ${schema}.${prefix}refuse_tombstoned();

-- The answer to an append that was refused: these very events, if stored (a retry of an append that succeeded,
-- or a duplicate: the caller tells which), else a conflict with the stream's version now.
CREATE FUNCTION ${schema}.${prefix}refusal(p_category text, p_stream_id text, p_event_ids uuid[])
RETURNS TABLE (outcome text, version bigint, pos bigint, event_id uuid, category text, stream_id text,
               append_index integer, append_size integer, recorded_at timestamptz)
LANGUAGE plpgsql STABLE
AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT * FROM ${schema}.${prefix}stored_events(p_event_ids);
    IF FOUND THEN
        RETURN;
    END IF;
    outcome := 'conflict';
    SELECT coalesce(max(e.stream_version), 0) INTO version FROM ${schema}.${prefix}events e
    WHERE e.category = p_category AND e.stream_id = p_stream_id;
    RETURN NEXT;
END;
$fn$;

-- The append function, for appends the store's single insert does not cover: any version or an existing stream
-- expected, a caller's transaction (which must not be aborted by a refused append: p_look_up_ids), and the second
-- attempt of an insert that was refused. Returns the same rows as before ('appended', 'conflict' or 'stored').
CREATE FUNCTION ${schema}.${prefix}append(
    p_category        text,
    p_stream_id       text,
    p_expected        bigint,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_payloads        text[],
    p_metadata        text[],
    p_occurred_at     timestamptz[],
    p_look_up_ids     boolean)
RETURNS TABLE (outcome text, version bigint, pos bigint, event_id uuid, category text, stream_id text,
               append_index integer, append_size integer, recorded_at timestamptz)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_column
DECLARE
    v_count    integer := cardinality(p_event_ids);
    v_had_id   boolean := pg_current_xact_id_if_assigned() IS NOT NULL;
    v_current  bigint;
    v_last_pos bigint;
    v_tx       xid8;
    v_base     bigint;
    v_top      bigint;
    v_now      timestamptz;
BEGIN
    -- An event id that is already stored makes this either an idempotent retry or a duplicate;
    -- the caller tells which from the rows returned. Nothing is written.
    IF p_look_up_ids THEN
        RETURN QUERY SELECT * FROM ${schema}.${prefix}stored_events(p_event_ids);
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;

    -- A stream already past the expectation is a conflict, answered without writing or locking anything.
    SELECT e.stream_version, e.position INTO v_current, v_last_pos
    FROM ${schema}.${prefix}events e
    WHERE e.category = p_category AND e.stream_id = p_stream_id
    ORDER BY e.stream_version DESC LIMIT 1;
    v_current := coalesce(v_current, 0);
    IF NOT (p_expected = -1 OR (p_expected = -2 AND v_current > 0) OR p_expected = v_current) THEN
        RETURN QUERY SELECT * FROM ${schema}.${prefix}refusal(p_category, p_stream_id, p_event_ids);
        RETURN;
    END IF;
    -- The event this append follows, locked against a concurrent delete (which would otherwise leave it behind).
    IF v_current > 0 THEN
        PERFORM 1 FROM ${schema}.${prefix}events e
        WHERE e.category = p_category AND e.stream_id = p_stream_id AND e.stream_version = v_current
        FOR KEY SHARE;
        IF NOT FOUND THEN
            RETURN QUERY SELECT * FROM ${schema}.${prefix}refusal(p_category, p_stream_id, p_event_ids);
            RETURN;
        END IF;
    END IF;

    -- Positions of this transaction lie in [xid << 20, (xid + 1) << 20) (see V1).
    v_tx := pg_current_xact_id();
    v_base := (v_tx::text::bigint) << 20;
    IF v_base >> 20 <> v_tx::text::bigint THEN
        RAISE EXCEPTION 'transaction id % is beyond the range of event positions', v_tx
            USING ERRCODE = '54000';
    END IF;
    IF v_had_id THEN
        SELECT coalesce(max(e.position), v_base) INTO v_top
        FROM ${schema}.${prefix}events e
        WHERE e.position >= v_base AND e.position < v_base + 1048576;
    ELSE
        v_top := v_base; -- the id is new: nothing is stored in its range
    END IF;
    IF v_top + v_count >= v_base + 1048576 THEN
        RAISE EXCEPTION 'one transaction can append at most 1048575 events'
            USING ERRCODE = '54000';
    END IF;
    IF v_last_pos > v_top THEN
        RAISE EXCEPTION 'appending to stream ''%'' would put its version % at position %, below position % where a'
                        ' transaction that took its id later already put an earlier version',
                        p_category || '-' || p_stream_id, v_current + 1, v_top + 1, v_last_pos
            USING ERRCODE = '40001',
                  HINT = 'Roll back the transaction and run it again: it then sorts after that version.';
    END IF;

    v_now := clock_timestamp();
    IF v_count = 1 THEN
        -- A taken version or id inserts nothing, without the subtransaction an exception block costs.
        INSERT INTO ${schema}.${prefix}events
            (position, category, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
             recorded_at, tx_id, append_index, append_size, occurred_at)
        VALUES (v_top + 1, p_category, p_stream_id, v_current + 1, p_event_ids[1], p_types[1], p_schema_versions[1],
                p_payloads[1]::json, p_metadata[1]::json, v_now, v_tx, 0, 1, p_occurred_at[1])
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RETURN QUERY SELECT * FROM ${schema}.${prefix}refusal(p_category, p_stream_id, p_event_ids);
            RETURN;
        END IF;
    ELSE
        BEGIN
            INSERT INTO ${schema}.${prefix}events
                (position, category, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
                 recorded_at, tx_id, append_index, append_size, occurred_at)
            SELECT v_top + b.n, p_category, p_stream_id, v_current + b.n, b.id, b.type, b.schema_version,
                   b.payload::json, b.metadata::json, v_now, v_tx, b.n - 1, v_count, b.occurred_at
            FROM unnest(p_event_ids, p_types, p_schema_versions, p_payloads, p_metadata, p_occurred_at)
                 WITH ORDINALITY AS b (id, type, schema_version, payload, metadata, occurred_at, n);
        EXCEPTION WHEN unique_violation THEN
            -- A concurrent append took the version (or stored these ids) first. Without p_look_up_ids the caller
            -- handles the error itself; with it, the transaction must stay usable: answer from what is stored now.
            IF NOT p_look_up_ids THEN
                RAISE;
            END IF;
            RETURN QUERY SELECT * FROM ${schema}.${prefix}refusal(p_category, p_stream_id, p_event_ids);
            RETURN;
        END;
    END IF;

    outcome := 'appended';
    version := v_current + v_count;
    pos := v_top + v_count;
    recorded_at := v_now;
    RETURN NEXT;
END;
$fn$;

-- Deletes a stream's events and snapshot, if its version matches p_expected (-1 any, -2 stream exists, 0 no stream,
-- n > 0 exactly n); with p_tombstone, also records a tombstone. Returns one row: ('deleted', version before, events
-- removed), ('conflict', actual version, 0) or ('tombstoned', 0, 0) if the stream already was.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}delete_stream(
    p_category  text,
    p_stream_id text,
    p_expected  bigint,
    p_tombstone boolean)
RETURNS TABLE (outcome text, version bigint, removed bigint)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_column
DECLARE
    v_current bigint;
    v_locked  bigint;
    v_removed bigint;
BEGIN
    -- Excludes appends that start the stream (see refuse_tombstoned) and other deletes.
    PERFORM pg_advisory_xact_lock(hashtextextended(p_category || '/' || p_stream_id, 0));
    IF EXISTS (SELECT 1 FROM ${schema}.${prefix}stream_tombstones t
               WHERE t.category = p_category AND t.stream_id = p_stream_id) THEN
        RETURN QUERY SELECT 'tombstoned'::text, 0::bigint, 0::bigint;
        RETURN;
    END IF;
    -- Lock the last event: appends in flight after it end first, and later ones wait and then find it gone.
    LOOP
        SELECT max(e.stream_version) INTO v_current FROM ${schema}.${prefix}events e
        WHERE e.category = p_category AND e.stream_id = p_stream_id;
        EXIT WHEN v_current IS NULL;
        SELECT e.stream_version INTO v_locked FROM ${schema}.${prefix}events e
        WHERE e.category = p_category AND e.stream_id = p_stream_id AND e.stream_version = v_current
        FOR UPDATE;
        EXIT WHEN NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}events e
                              WHERE e.category = p_category AND e.stream_id = p_stream_id
                                AND e.stream_version > v_current);
    END LOOP;
    v_current := coalesce(v_current, 0);
    IF NOT (p_expected = -1 OR (p_expected = -2 AND v_current > 0) OR p_expected = v_current) THEN
        RETURN QUERY SELECT 'conflict'::text, v_current, 0::bigint;
        RETURN;
    END IF;
    DELETE FROM ${schema}.${prefix}events e WHERE e.category = p_category AND e.stream_id = p_stream_id;
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    DELETE FROM ${schema}.${prefix}snapshots s WHERE s.category = p_category AND s.stream_id = p_stream_id;
    IF p_tombstone THEN
        INSERT INTO ${schema}.${prefix}stream_tombstones (category, stream_id) VALUES (p_category, p_stream_id)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN QUERY SELECT 'deleted'::text, v_current, v_removed;
END;
$fn$;

-- Removes a stream's events below min(p_before, its version): the last event always stays. Returns the number of
-- events removed.
CREATE OR REPLACE FUNCTION ${schema}.${prefix}truncate_stream(
    p_category  text,
    p_stream_id text,
    p_before    bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_current bigint;
    v_removed bigint;
BEGIN
    SELECT max(e.stream_version) INTO v_current FROM ${schema}.${prefix}events e
    WHERE e.category = p_category AND e.stream_id = p_stream_id;
    IF v_current IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM ${schema}.${prefix}events e
    WHERE e.category = p_category AND e.stream_id = p_stream_id AND e.stream_version < least(p_before, v_current);
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    RETURN v_removed;
END;
$fn$;
