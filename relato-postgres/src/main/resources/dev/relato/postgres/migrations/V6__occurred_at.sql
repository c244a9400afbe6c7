-- Events may carry the time they occurred, given by the appender, beside the time the store recorded them;
-- NULL means "as recorded". The append function takes those times and returns the recorded time of a new
-- append, so the store hands back the recorded events without reading them again. Its body is otherwise
-- that of V5 (see there for the per-stream order and the position scheme); its signature changes, so the
-- old function is dropped first.
--
-- Payloads, metadata and snapshots become json instead of jsonb: json keeps the text exactly as appended,
-- where jsonb rewrites it (spacing, key order, and numbers: 0E-10000 came back as a 10,002-character number
-- that the read side's 1,000-character limit refuses). What the store accepts it must read back as written.
-- json is also cheaper to store and to read: it is checked, not converted. This rewrites the tables once.

ALTER TABLE ${schema}.${prefix}events
    ADD COLUMN occurred_at timestamptz,
    ALTER COLUMN payload TYPE json USING payload::text::json,
    ALTER COLUMN metadata TYPE json USING metadata::text::json;

ALTER TABLE ${schema}.${prefix}snapshots ALTER COLUMN payload TYPE json USING payload::text::json;

DROP FUNCTION ${schema}.${prefix}append(text, text, bigint, uuid[], text[], integer[], text[], text[]);

CREATE OR REPLACE FUNCTION ${schema}.${prefix}append(
    p_category        text,
    p_stream_id       text,
    p_expected        bigint,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_payloads        text[],
    p_metadata        text[],
    p_occurred_at     timestamptz[])
RETURNS TABLE (outcome text, version bigint, pos bigint, event_id uuid, category text, stream_id text,
               append_index integer, append_size integer, recorded_at timestamptz)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_column
DECLARE
    v_count    integer := cardinality(p_event_ids);
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
    -- EXECUTE plans the lookup afresh on every call: a plan cached by the function would be planned
    -- once per session for an unknown number of ids, and on a table that was small then it scans the
    -- whole table, which grows with every append.
    RETURN QUERY EXECUTE
        'SELECT ''stored''::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,'
        ' e.append_index, e.append_size, e.recorded_at FROM ${schema}.${prefix}events e WHERE e.event_id = ANY ($1)'
        USING p_event_ids;
    IF FOUND THEN
        RETURN;
    END IF;

    -- A stream already past an exact (or no-stream) expectation is a conflict for good, as versions only grow:
    -- answered at once, without queueing behind the stream's writers or taking a transaction id.
    IF p_expected >= 0 THEN
        SELECT s.version INTO v_current FROM ${schema}.${prefix}streams s
        WHERE s.category = p_category AND s.stream_id = p_stream_id;
    END IF;

    IF coalesce(v_current, 0) <= p_expected OR p_expected < 0 THEN
        -- Without a transaction id yet: wait for the stream's previous appender to end before taking one.
        IF pg_current_xact_id_if_assigned() IS NULL THEN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_category || '/' || p_stream_id, 0));
        END IF;

        -- Positions of this transaction lie in [xid << 20, (xid + 1) << 20): every transaction still in
        -- flight has an id at or above pg_snapshot_xmin(), so its events sort above everything a reader
        -- bounded by (xmin << 20) returns. A rolled back transaction leaves nothing behind.
        v_tx := pg_current_xact_id();
        v_base := (v_tx::text::bigint) << 20;
        IF v_base >> 20 <> v_tx::text::bigint THEN
            RAISE EXCEPTION 'transaction id % is beyond the range of event positions', v_tx
                USING ERRCODE = '54000';
        END IF;
        SELECT coalesce(max(e.position), v_base) INTO v_top
        FROM ${schema}.${prefix}events e
        WHERE e.position >= v_base AND e.position < v_base + 1048576;
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
        -- Refused. A concurrent writer may have committed these very events while this call waited
        -- for the head row (a retry racing the original): report them if so.
        RETURN QUERY EXECUTE
            'SELECT ''stored''::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,'
            ' e.append_index, e.append_size, e.recorded_at FROM ${schema}.${prefix}events e WHERE e.event_id = ANY ($1)'
            USING p_event_ids;
        IF FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY
            SELECT 'conflict'::text, coalesce((SELECT s.version FROM ${schema}.${prefix}streams s
                                               WHERE s.category = p_category AND s.stream_id = p_stream_id), 0),
                   NULL::bigint, NULL::uuid, NULL::text, NULL::text, NULL::integer, NULL::integer, NULL::timestamptz;
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
    INSERT INTO ${schema}.${prefix}events
        (position, category, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
         recorded_at, tx_id, append_index, append_size, occurred_at)
    SELECT v_top + b.n, p_category, p_stream_id, v_last - v_count + b.n, b.id, b.type, b.schema_version,
           b.payload::json, b.metadata::json, v_now, v_tx, b.n - 1, v_count, b.occurred_at
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_payloads, p_metadata, p_occurred_at)
         WITH ORDINALITY AS b (id, type, schema_version, payload, metadata, occurred_at, n);

    RETURN QUERY SELECT 'appended'::text, v_last, v_top + v_count, NULL::uuid, NULL::text, NULL::text,
                        NULL::integer, NULL::integer, v_now;
END;
$fn$;
