-- Per-stream order in the global log: within one stream, positions rise with versions.
--
-- A position is (transaction id << 20) + n, while a stream's versions are handed out by its head row in the
-- order writers win that row's lock. The two orders used to disagree whenever a transaction took its id
-- before it won the head row: two autocommitted appends with any() waiting for a third to commit (the one
-- with the older id can win second), or a caller's transaction that wrote something first and appended to
-- the stream after a younger transaction had. The stream's v2 then sorted before its v1 in readAll and in
-- subscriptions.
--
-- Now:
-- 1. The head row keeps the stream's last position (last_position, backfilled below with the highest
--    position of each stream's events) and stays the arbiter: an append moves version and last position
--    together.
-- 2. A transaction that has no id yet (an autocommitted append, or the first write of a caller's transaction)
--    first takes a transaction-level advisory lock on a 64-bit hash of the stream, and only then its id. An
--    advisory lock needs no transaction id, and it is released only after its holder's commit or rollback,
--    so the id is assigned after the stream's previous appender of that kind has finished: appends that start
--    without an id never sort before the stream's earlier events, and never need a retry among themselves.
--    A transaction takes at most this one advisory lock, as it has an id afterwards (the lock table is shared
--    and finite). Two streams whose hashes collide only share the lock.
-- 3. Whatever won the head row, an append whose positions would sort at or below the stream's last position
--    (only possible for a transaction that had an id before it appended, raced by a younger one) is refused
--    with a serialization failure, SQLSTATE 40001: nothing is written, and the transaction must be rolled back
--    and run again, as after any serialization failure. The store retries it itself when it owns the
--    transaction (bounded, with jittered backoff).
-- 4. An append expecting an exact version (or no stream) that the stream has already passed is refused at
--    once, before the advisory lock: versions only grow, so waiting could not change the answer, and a stale
--    writer does not queue behind the stream's other writers.
--
-- Taking the id before the head row (under the advisory lock) lets one UPDATE (or INSERT .. ON CONFLICT) move
-- the version and the last position at once. Adding the column rewrites nothing; the backfill takes the
-- streams table's lock until this migration commits, so appends wait for it.

ALTER TABLE ${schema}.${prefix}streams ADD COLUMN last_position bigint NOT NULL DEFAULT 0;

UPDATE ${schema}.${prefix}streams s
SET last_position = m.last_position
FROM (SELECT e.category, e.stream_id, max(e.position) AS last_position
      FROM ${schema}.${prefix}events e
      GROUP BY e.category, e.stream_id) m
WHERE m.category = s.category AND m.stream_id = s.stream_id;

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
        ' e.append_index, e.append_size FROM ${schema}.${prefix}events e WHERE e.event_id = ANY ($1)'
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
         recorded_at, tx_id, append_index, append_size)
    SELECT v_top + b.n, p_category, p_stream_id, v_last - v_count + b.n, b.id, b.type, b.schema_version,
           b.payload::jsonb, b.metadata::jsonb, v_now, v_tx, b.n - 1, v_count
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_payloads, p_metadata)
         WITH ORDINALITY AS b (id, type, schema_version, payload, metadata, n);

    RETURN QUERY SELECT 'appended'::text, v_last, v_top + v_count, NULL::uuid, NULL::text, NULL::text,
                        NULL::integer, NULL::integer;
END;
$fn$;
