-- Domicile database fence, version 2: upgrades version 1 (run fence-v1.sql first). Idempotent.
-- Undo with fence-uninstall.sql (drops the schema, this sequence included).
--
-- What changes: the epoch in force lives in the sequence domicile.fence_epoch, which a writer's trigger reads
-- with pg_sequence_last_value() instead of a SELECT of domicile.fence, and every line of the trigger is a
-- simple expression, which PL/pgSQL evaluates without starting the executor. Both halve the trigger's cost.
-- The sequence is only ever changed by setval() under the exclusive advisory lock (never by nextval), so its
-- value is exact, WAL-logged and replayed by standbys. setval() is not transactional: a bump that fails after
-- it leaves the fence raised, which refuses more, never less. domicile.fence keeps the partition's name and,
-- for people reading it, a copy of the epoch.

CREATE SEQUENCE IF NOT EXISTS domicile.fence_epoch MINVALUE 0 NO CYCLE;
-- Every writer's trigger reads the epoch (and, to explain a refusal, the partition); only the fence's owner changes
-- them: the functions that do are not for PUBLIC (setval needs UPDATE on the sequence anyway).
GRANT USAGE ON SCHEMA domicile TO PUBLIC;
GRANT SELECT ON SEQUENCE domicile.fence_epoch TO PUBLIC;
GRANT SELECT ON domicile.fence TO PUBLIC;

-- Brings the sequence up to the fence row (a version-1 fence, or a row inserted since); never lowers it.
CREATE OR REPLACE FUNCTION domicile.sync_epoch() RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    row_epoch bigint;
    seq_epoch bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7237970109966541925);
    SELECT epoch INTO row_epoch FROM domicile.fence;
    seq_epoch := pg_sequence_last_value('domicile.fence_epoch'::regclass);
    IF row_epoch IS NOT NULL AND (seq_epoch IS NULL OR seq_epoch < row_epoch) THEN
        PERFORM setval('domicile.fence_epoch'::regclass, row_epoch, true);
        seq_epoch := row_epoch;
    END IF;
    RETURN seq_epoch;
END
$fn$;

-- Runs once per write statement on every fenced table (the trigger of version 1 calls it by name). The shared
-- advisory lock is held to the end of the transaction: writers never block each other, but a bump (exclusive)
-- waits for every transaction that already wrote, and a writer arriving during a bump waits for it and then
-- reads the raised epoch.
CREATE OR REPLACE FUNCTION domicile.check_epoch() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    waited  boolean;
    fenced  bigint;
    claimed bigint;
BEGIN
    waited := pg_advisory_xact_lock_shared(7237970109966541925) IS NULL;
    fenced := pg_sequence_last_value('domicile.fence_epoch'::regclass);
    claimed := nullif(current_setting('domicile.epoch', true), '')::bigint;
    IF fenced IS NULL THEN
        RAISE EXCEPTION 'domicile: the fence of this database has no epoch; install it with an initial epoch'
            USING ERRCODE = 'DM002';
    END IF;
    IF claimed IS NULL OR claimed < fenced THEN
        RAISE EXCEPTION 'domicile: write refused: epoch % is older than the fence of partition % (epoch %)',
            coalesce(claimed::text, 'unset'), (SELECT partition FROM domicile.fence), fenced
            USING ERRCODE = 'DM001',
                  HINT = 'this writer lost authority over the partition; refresh authority and retry';
    END IF;
    RETURN NULL;
END
$fn$;

-- Raises the fence to new_epoch once every transaction that already wrote has ended. Epochs only grow: an
-- older epoch is refused, the same epoch is a no-op. Returns the epoch in force.
CREATE OR REPLACE FUNCTION domicile.bump_epoch(new_epoch bigint) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    current_epoch bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7237970109966541925);
    PERFORM 1 FROM domicile.fence FOR UPDATE;
    current_epoch := pg_sequence_last_value('domicile.fence_epoch'::regclass);
    IF current_epoch IS NULL THEN
        RAISE EXCEPTION 'domicile: the fence of this database has no epoch' USING ERRCODE = 'DM002';
    END IF;
    IF new_epoch < current_epoch THEN
        RAISE EXCEPTION 'domicile: epoch % refused: the fence is at epoch % and epochs only grow',
            new_epoch, current_epoch USING ERRCODE = 'DM003';
    END IF;
    IF new_epoch > current_epoch THEN
        PERFORM setval('domicile.fence_epoch'::regclass, new_epoch, true);
    END IF;
    UPDATE domicile.fence SET epoch = new_epoch, changed_at = now() WHERE epoch < new_epoch;
    RETURN new_epoch;
END
$fn$;

REVOKE EXECUTE ON FUNCTION domicile.bump_epoch(bigint), domicile.sync_epoch(), domicile.fence_table(regclass),
    domicile.unfence_table(regclass) FROM PUBLIC;

SELECT domicile.sync_epoch();

INSERT INTO domicile.schema_version (version) VALUES (2) ON CONFLICT DO NOTHING;
