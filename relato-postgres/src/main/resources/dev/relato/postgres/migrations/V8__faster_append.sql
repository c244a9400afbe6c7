-- Faster appends: the same guarantees as V6 (see V5 for the per-stream order and V1 for the position scheme),
-- with less work on the way of an append that succeeds, which is nearly every append:
--
-- 1. The look-up of already stored event ids runs only when the caller asks for it (p_look_up_ids). The store
--    asks on an append in a caller's transaction, where a refused statement would abort that transaction, and
--    on the second attempt of an append of its own whose first attempt hit the unique event id (an idempotent
--    retry or a duplicate; the failed attempt wrote nothing). The first attempt of an append in the store's own
--    transaction goes without: the unique constraint on the event id catches a repeated id. An append that is
--    refused for its expectation still looks the ids up, as before, to tell a retry from a conflict.
--    A single id is looked up with a cached plan (an equality on the unique index), here and when an append is
--    refused; several still through EXECUTE, planned afresh (see V5).
-- 2. The stream's advisory lock is first tried without waiting. Only when it is held by another appender does
--    an append with an exact (or no-stream) expectation read the stream's version first, to answer a stale
--    expectation at once rather than queue, and again once it has the lock, as the appender it waited for has
--    usually moved the stream on: refused then without taking a transaction id or touching the head row. An
--    append that got the lock at once goes straight to the head row.
-- 3. A transaction that had no id before this append cannot have stored events in its range of positions, so
--    the range's highest position is read only when it had one (a caller's transaction that wrote before).
-- 4. A single event is inserted from its values, not by unnesting the arrays; the outcome is returned as one row
--    without a query.
--
-- This migration replaces the append function and adds the look-up it shares; it changes no table.

DROP FUNCTION ${schema}.${prefix}append(text, text, bigint, uuid[], text[], integer[], text[], text[], timestamptz[]);

-- The already stored events among the given ids, as rows of the append function's result ('stored', version,
-- position, id, stream, place in the append that wrote it, time recorded). One id is looked up with a cached plan
-- (an equality on the unique index); several through EXECUTE, planned afresh (see V5).
CREATE FUNCTION ${schema}.${prefix}stored_events(p_event_ids uuid[])
RETURNS TABLE (outcome text, version bigint, pos bigint, event_id uuid, category text, stream_id text,
               append_index integer, append_size integer, recorded_at timestamptz)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    IF cardinality(p_event_ids) = 1 THEN
        RETURN QUERY
            SELECT 'stored'::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,
                   e.append_index, e.append_size, e.recorded_at
            FROM ${schema}.${prefix}events e
            WHERE e.event_id = p_event_ids[1];
    ELSE
        RETURN QUERY EXECUTE
            'SELECT ''stored''::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,'
            ' e.append_index, e.append_size, e.recorded_at FROM ${schema}.${prefix}events e'
            ' WHERE e.event_id = ANY ($1)'
            USING p_event_ids;
    END IF;
END;
$fn$;

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
    v_had_id   boolean;
    v_locked   boolean := false;
    v_go       boolean;
    v_last     bigint;
    v_current  bigint;
    v_head_pos bigint;
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

    -- Without a transaction id yet: the stream's previous appender must end before this one takes one.
    v_had_id := pg_current_xact_id_if_assigned() IS NOT NULL;
    IF NOT v_had_id THEN
        v_locked := pg_try_advisory_xact_lock(hashtextextended(p_category || '/' || p_stream_id, 0));
    END IF;

    -- A stream already past an exact (or no-stream) expectation is a conflict for good, as versions only grow:
    -- answered at once rather than after queueing behind the stream's writers or taking a transaction id.
    IF p_expected >= 0 AND NOT v_locked THEN
        SELECT s.version INTO v_current FROM ${schema}.${prefix}streams s
        WHERE s.category = p_category AND s.stream_id = p_stream_id;
    END IF;

    v_go := p_expected < 0 OR v_locked OR coalesce(v_current, 0) <= p_expected;
    IF v_go AND NOT v_had_id AND NOT v_locked THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_category || '/' || p_stream_id, 0));
        -- The appender waited for has likely moved the stream on: refused without taking an id if so.
        IF p_expected >= 0 THEN
            SELECT s.version INTO v_current FROM ${schema}.${prefix}streams s
            WHERE s.category = p_category AND s.stream_id = p_stream_id;
            v_go := coalesce(v_current, 0) = p_expected;
        END IF;
    END IF;

    IF v_go THEN

        -- Positions of this transaction lie in [xid << 20, (xid + 1) << 20): every transaction still in
        -- flight has an id at or above pg_snapshot_xmin(), so its events sort above everything a reader
        -- bounded by (xmin << 20) returns. A rolled back transaction leaves nothing behind.
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

        -- The head row: version and last position move together. A last position that stays above this
        -- append's own is the sign of a younger transaction that appended to the stream first.
        IF p_expected = -1 THEN
            INSERT INTO ${schema}.${prefix}streams AS s (category, stream_id, version, last_position)
            VALUES (p_category, p_stream_id, v_count, v_top + v_count)
            ON CONFLICT ON CONSTRAINT ${prefix}streams_pkey DO UPDATE
                SET version = s.version + v_count, last_position = greatest(s.last_position, excluded.last_position)
            RETURNING s.version, s.last_position INTO v_last, v_head_pos;
        ELSIF p_expected = 0 THEN
            INSERT INTO ${schema}.${prefix}streams AS s (category, stream_id, version, last_position)
            VALUES (p_category, p_stream_id, v_count, v_top + v_count)
            ON CONFLICT ON CONSTRAINT ${prefix}streams_pkey DO NOTHING
            RETURNING s.version, s.last_position INTO v_last, v_head_pos;
        ELSIF p_expected = -2 THEN
            UPDATE ${schema}.${prefix}streams AS s
            SET version = s.version + v_count, last_position = greatest(s.last_position, v_top + v_count)
            WHERE s.category = p_category AND s.stream_id = p_stream_id
            RETURNING s.version, s.last_position INTO v_last, v_head_pos;
        ELSE
            UPDATE ${schema}.${prefix}streams AS s
            SET version = s.version + v_count, last_position = greatest(s.last_position, v_top + v_count)
            WHERE s.category = p_category AND s.stream_id = p_stream_id AND s.version = p_expected
            RETURNING s.version, s.last_position INTO v_last, v_head_pos;
        END IF;
    END IF;

    IF v_last IS NULL THEN
        -- Refused. These very events may be stored (a retry of an append that succeeded, or one racing the
        -- original): report them if so.
        RETURN QUERY SELECT * FROM ${schema}.${prefix}stored_events(p_event_ids);
        IF FOUND THEN
            RETURN;
        END IF;
        outcome := 'conflict';
        SELECT s.version INTO version FROM ${schema}.${prefix}streams s
        WHERE s.category = p_category AND s.stream_id = p_stream_id;
        version := coalesce(version, 0);
        RETURN NEXT;
        RETURN;
    END IF;

    IF v_head_pos <> v_top + v_count THEN
        RAISE EXCEPTION 'appending to stream ''%'' would put its version % at position %, below position % where a'
                        ' transaction that took its id later already put an earlier version',
                        p_category || '-' || p_stream_id, v_last - v_count + 1, v_top + 1, v_head_pos
            USING ERRCODE = '40001',
                  HINT = 'Roll back the transaction and run it again: it then sorts after that version.';
    END IF;

    -- Taken after the head row lock: recorded times of one stream rise with its versions.
    v_now := clock_timestamp();
    IF v_count = 1 THEN
        INSERT INTO ${schema}.${prefix}events
            (position, category, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
             recorded_at, tx_id, append_index, append_size, occurred_at)
        VALUES (v_top + 1, p_category, p_stream_id, v_last, p_event_ids[1], p_types[1], p_schema_versions[1],
                p_payloads[1]::json, p_metadata[1]::json, v_now, v_tx, 0, 1, p_occurred_at[1]);
    ELSE
        INSERT INTO ${schema}.${prefix}events
            (position, category, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
             recorded_at, tx_id, append_index, append_size, occurred_at)
        SELECT v_top + b.n, p_category, p_stream_id, v_last - v_count + b.n, b.id, b.type, b.schema_version,
               b.payload::json, b.metadata::json, v_now, v_tx, b.n - 1, v_count, b.occurred_at
        FROM unnest(p_event_ids, p_types, p_schema_versions, p_payloads, p_metadata, p_occurred_at)
             WITH ORDINALITY AS b (id, type, schema_version, payload, metadata, occurred_at, n);
    END IF;

    outcome := 'appended';
    version := v_last;
    pos := v_top + v_count;
    recorded_at := v_now;
    RETURN NEXT;
END;
$fn$;
