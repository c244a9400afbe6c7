-- Relato event store: the events, the head (current version) of every stream, and the append function.
-- ${schema} and ${prefix} are replaced by the configured schema name and table prefix.

CREATE TABLE ${schema}.${prefix}events (
    -- Global position: (writing transaction id << 20) + the event's number within that transaction.
    -- Ordering the log by transaction id first is what lets readers stop below every transaction still
    -- in flight (see ${prefix}append) without ever skipping a late commit.
    position       bigint      NOT NULL,
    category       text        NOT NULL,
    stream_id      text        NOT NULL,
    stream_version bigint      NOT NULL,
    event_id       uuid        NOT NULL,
    type           text        NOT NULL,
    schema_version integer     NOT NULL,
    payload        jsonb       NOT NULL,
    metadata       jsonb       NOT NULL,
    recorded_at    timestamptz NOT NULL,
    tx_id          xid8        NOT NULL,
    -- The event's place in the append that wrote it: an idempotent retry must repeat that whole append.
    append_index   integer     NOT NULL,
    append_size    integer     NOT NULL,
    CONSTRAINT ${prefix}events_pkey PRIMARY KEY (position),
    CONSTRAINT ${prefix}events_event_id_key UNIQUE (event_id),
    CONSTRAINT ${prefix}events_stream_version_key UNIQUE (category, stream_id, stream_version),
    CONSTRAINT ${prefix}events_stream_version_check CHECK (stream_version >= 1),
    CONSTRAINT ${prefix}events_schema_version_check CHECK (schema_version >= 1)
);

CREATE INDEX ${prefix}events_category_position_idx ON ${schema}.${prefix}events (category, position);

CREATE TABLE ${schema}.${prefix}streams (
    category  text   NOT NULL,
    stream_id text   NOT NULL,
    version   bigint NOT NULL,
    CONSTRAINT ${prefix}streams_pkey PRIMARY KEY (category, stream_id),
    CONSTRAINT ${prefix}streams_version_check CHECK (version >= 1)
);

-- Appends a batch to one stream in one call. The head row is the arbiter of concurrent writers:
-- an INSERT .. ON CONFLICT or an UPDATE .. WHERE version = expected takes its row lock, so two
-- writers of one stream are serialised by the database and the loser sees the winner's version.
--
-- p_expected: -1 any, -2 stream exists, 0 no stream, n > 0 exactly n.
-- Returns one row:  ('appended', last version, last position)
--              or  ('conflict', actual version, NULL)
--              or one row per already stored event id: ('stored', its version, its position, id, stream,
--                 its index in and the size of the append that wrote it)
CREATE FUNCTION ${schema}.${prefix}append(
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
    RETURN QUERY
        SELECT 'stored'::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,
               e.append_index, e.append_size
        FROM ${schema}.${prefix}events e
        WHERE e.event_id = ANY (p_event_ids);
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
        RETURN QUERY
            SELECT 'stored'::text, e.stream_version, e.position, e.event_id, e.category, e.stream_id,
               e.append_index, e.append_size
            FROM ${schema}.${prefix}events e
            WHERE e.event_id = ANY (p_event_ids);
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

    PERFORM pg_notify('${channel}', '');

    RETURN QUERY SELECT 'appended'::text, v_last, v_top + v_count, NULL::uuid, NULL::text, NULL::text,
                        NULL::integer, NULL::integer;
END;
$fn$;
