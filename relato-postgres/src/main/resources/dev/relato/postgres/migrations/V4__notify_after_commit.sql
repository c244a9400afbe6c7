-- The append function no longer calls pg_notify. A NOTIFY makes PostgreSQL take its notification-queue
-- lock, cluster-wide, from just before the commit until the commit's WAL flush has finished, so every
-- appending transaction committed alone and concurrent appends lost the shared WAL flush (group commit).
-- The store now notifies in a transaction of its own right after an append commits (one that writes
-- nothing, so holds that lock only for an instant), or, for an append in the caller's transaction, in that
-- transaction. Subscriptions poll as well: a notification only shortens their latency.
--
-- The look-ups of the batch's event ids are planned on every call (EXECUTE). The function's cached
-- generic plan for "event_id = ANY (ids)" assumes ten ids; planned while the table was small, as it is
-- in every new session of a new store, it is a sequential scan, kept for the life of the session while
-- the table grows: appends slowed down with every event stored until an ANALYZE replaced the plan.

CREATE OR REPLACE FUNCTION ${schema}.${prefix}append(
    p_category        text,
    p_stream_id       text,
    p_expected        bigint,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_payloads        text[],
    p_metadata        text[])
RETURNS TABLE (outcome text, version bigint, pos bigint, event_id uuid, category text, stream_id text,
               append_index integer, append_size integer)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_column
DECLARE
    v_count    integer := cardinality(p_event_ids);
    v_last     bigint;
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
        ' e.append_index, e.append_size FROM ${schema}.${prefix}events e WHERE e.event_id = ANY ($1)'
        USING p_event_ids;
    IF FOUND THEN
        RETURN;
    END IF;

    IF p_expected = -1 THEN
        INSERT INTO ${schema}.${prefix}streams AS s (category, stream_id, version)
        VALUES (p_category, p_stream_id, v_count)
        ON CONFLICT ON CONSTRAINT ${prefix}streams_pkey DO UPDATE SET version = s.version + v_count
        RETURNING s.version INTO v_last;
    ELSIF p_expected = 0 THEN
        INSERT INTO ${schema}.${prefix}streams AS s (category, stream_id, version)
        VALUES (p_category, p_stream_id, v_count)
        ON CONFLICT ON CONSTRAINT ${prefix}streams_pkey DO NOTHING
        RETURNING s.version INTO v_last;
    ELSIF p_expected = -2 THEN
        UPDATE ${schema}.${prefix}streams AS s SET version = s.version + v_count
        WHERE s.category = p_category AND s.stream_id = p_stream_id
        RETURNING s.version INTO v_last;
    ELSE
        UPDATE ${schema}.${prefix}streams AS s SET version = s.version + v_count
        WHERE s.category = p_category AND s.stream_id = p_stream_id AND s.version = p_expected
        RETURNING s.version INTO v_last;
    END IF;

    IF v_last IS NULL THEN
        -- Refused. A concurrent writer may have committed these very events while this call waited
        -- for the head row (a retry racing the original): report them if so.
        RETURN QUERY EXECUTE
            'SELECT ''stored''::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,'
            ' e.append_index, e.append_size FROM ${schema}.${prefix}events e WHERE e.event_id = ANY ($1)'
            USING p_event_ids;
        IF FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY
            SELECT 'conflict'::text, coalesce((SELECT s.version FROM ${schema}.${prefix}streams s
                                               WHERE s.category = p_category AND s.stream_id = p_stream_id), 0),
                   NULL::bigint, NULL::uuid, NULL::text, NULL::text, NULL::integer, NULL::integer;
        RETURN;
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

    -- Taken after the head row lock: recorded times of one stream rise with its versions.
    v_now := clock_timestamp();
    INSERT INTO ${schema}.${prefix}events
        (position, category, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
         recorded_at, tx_id, append_index, append_size)
    SELECT v_top + b.n, p_category, p_stream_id, v_last - v_count + b.n, b.id, b.type, b.schema_version,
           b.payload::jsonb, b.metadata::jsonb, v_now, v_tx, b.n - 1, v_count
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_payloads, p_metadata)
         WITH ORDINALITY AS b (id, type, schema_version, payload, metadata, n);

    RETURN QUERY SELECT 'appended'::text, v_last, v_top + v_count, NULL::uuid, NULL::text, NULL::text,
                        NULL::integer, NULL::integer;
END;
$fn$;
