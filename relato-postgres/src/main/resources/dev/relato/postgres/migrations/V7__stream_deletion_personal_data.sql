-- Deleting, tombstoning and truncating streams, and the data keys of personal data.
-- ${schema} and ${prefix} are replaced by the configured schema name and table prefix.

-- Streams deleted with a tombstone: they refuse every later append.
CREATE TABLE ${schema}.${prefix}stream_tombstones (
    category   text        NOT NULL,
    stream_id  text        NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ${prefix}stream_tombstones_pkey PRIMARY KEY (category, stream_id)
);

-- A tombstoned stream has no head row; every append that would make one is refused with SQLSTATE RLT01.
CREATE FUNCTION ${schema}.${prefix}refuse_tombstoned() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM ${schema}.${prefix}stream_tombstones t
               WHERE t.category = NEW.category AND t.stream_id = NEW.stream_id) THEN
        RAISE EXCEPTION 'stream ''%'' was deleted with a tombstone', NEW.category || '-' || NEW.stream_id
            USING ERRCODE = 'RLT01';
    END IF;
    RETURN NEW;
END;
$fn$;

CREATE TRIGGER ${prefix}streams_refuse_tombstoned BEFORE INSERT ON ${schema}.${prefix}streams
    FOR EACH ROW EXECUTE FUNCTION ${schema}.${prefix}refuse_tombstoned();

-- Deletes a stream's events, head row and snapshot, if its version matches p_expected
-- (-1 any, -2 stream exists, 0 no stream, n > 0 exactly n); with p_tombstone, also records a tombstone.
-- Returns one row: ('deleted', version before, events removed), ('conflict', actual version, 0)
-- or ('tombstoned', 0, 0) if the stream already was. Positions are never reused: they derive from
-- transaction ids (see V1).
CREATE FUNCTION ${schema}.${prefix}delete_stream(
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
    v_removed bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_category || '/' || p_stream_id, 0));
    IF EXISTS (SELECT 1 FROM ${schema}.${prefix}stream_tombstones t
               WHERE t.category = p_category AND t.stream_id = p_stream_id) THEN
        RETURN QUERY SELECT 'tombstoned'::text, 0::bigint, 0::bigint;
        RETURN;
    END IF;
    SELECT s.version INTO v_current FROM ${schema}.${prefix}streams s
    WHERE s.category = p_category AND s.stream_id = p_stream_id FOR UPDATE;
    v_current := coalesce(v_current, 0);
    IF NOT (p_expected = -1 OR (p_expected = -2 AND v_current > 0) OR p_expected = v_current) THEN
        RETURN QUERY SELECT 'conflict'::text, v_current, 0::bigint;
        RETURN;
    END IF;
    DELETE FROM ${schema}.${prefix}events e WHERE e.category = p_category AND e.stream_id = p_stream_id;
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    DELETE FROM ${schema}.${prefix}streams s WHERE s.category = p_category AND s.stream_id = p_stream_id;
    DELETE FROM ${schema}.${prefix}snapshots s WHERE s.category = p_category AND s.stream_id = p_stream_id;
    IF p_tombstone THEN
        INSERT INTO ${schema}.${prefix}stream_tombstones (category, stream_id) VALUES (p_category, p_stream_id)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN QUERY SELECT 'deleted'::text, v_current, v_removed;
END;
$fn$;

-- Removes a stream's events below min(p_before, its version): the last event always stays, the head row
-- does not change. Returns the number of events removed.
CREATE FUNCTION ${schema}.${prefix}truncate_stream(
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
    SELECT s.version INTO v_current FROM ${schema}.${prefix}streams s
    WHERE s.category = p_category AND s.stream_id = p_stream_id FOR UPDATE;
    IF v_current IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM ${schema}.${prefix}events e
    WHERE e.category = p_category AND e.stream_id = p_stream_id AND e.stream_version < least(p_before, v_current);
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    RETURN v_removed;
END;
$fn$;

-- The data keys of personal data, wrapped by a key-encryption key that is never stored here.
CREATE TABLE ${schema}.${prefix}data_keys (
    key_id     uuid        NOT NULL,
    subject    text        NOT NULL,
    wrapped    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT ${prefix}data_keys_pkey PRIMARY KEY (key_id)
);

CREATE INDEX ${prefix}data_keys_subject_idx ON ${schema}.${prefix}data_keys (subject, created_at);
