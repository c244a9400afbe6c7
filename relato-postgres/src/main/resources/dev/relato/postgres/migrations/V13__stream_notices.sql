-- Notices of removed streams: a delete, tombstone or truncation that removes events also writes a notice, in the
-- same statement as the removal (the store calls add_stream_notice on the result of delete_stream or truncate_stream), at a position of the log shared with the events (the writing transaction's range, as in V1), so
-- readers that order by position meet it after the stream's removed events and never skip it. Readers see notices
-- only when they ask for them. type is the notice's reserved event type; kept_from the lowest version a truncation
-- kept (0 otherwise).

CREATE TABLE ${schema}.${prefix}stream_notices (
    position    bigint      NOT NULL,
    category    text        NOT NULL,
    stream_id   text        NOT NULL,
    type        text        NOT NULL,
    kept_from   bigint      NOT NULL,
    recorded_at timestamptz NOT NULL,
    CONSTRAINT ${prefix}stream_notices_pkey PRIMARY KEY (position)
);

-- The next position of this transaction's range after its events and notices.
CREATE FUNCTION ${schema}.${prefix}add_stream_notice(
    p_category  text,
    p_stream_id text,
    p_type      text,
    p_kept_from bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_base bigint := (pg_current_xact_id()::text::bigint) << 20;
    v_pos  bigint;
BEGIN
    SELECT greatest(
               (SELECT max(e.position) + 1 FROM ${schema}.${prefix}events e
                WHERE e.position >= v_base AND e.position < v_base + 1048576),
               (SELECT max(n.position) + 1 FROM ${schema}.${prefix}stream_notices n
                WHERE n.position >= v_base AND n.position < v_base + 1048576),
               v_base)
    INTO v_pos;
    INSERT INTO ${schema}.${prefix}stream_notices (position, category, stream_id, type, kept_from, recorded_at)
    VALUES (v_pos, p_category, p_stream_id, p_type, p_kept_from, date_trunc('microseconds', clock_timestamp()));
    RETURN v_pos;
END;
$fn$;
