-- Domicile database fence, version 1. Idempotent: safe to run again on a database that has it.
-- Undo with fence-uninstall.sql.
CREATE SCHEMA IF NOT EXISTS domicile;

CREATE TABLE IF NOT EXISTS domicile.schema_version (
    version      integer PRIMARY KEY,
    installed_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the partition this database holds and the lowest epoch allowed to write it.
CREATE TABLE IF NOT EXISTS domicile.fence (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    partition  text NOT NULL,
    epoch      bigint NOT NULL CHECK (epoch >= 0),
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- Runs once per write statement on every fenced table. The writer's epoch is the session setting
-- domicile.epoch, which the router sets on a connection only when it changes. The shared advisory lock is held
-- to the end of the transaction: writers never block each other, but a fence bump (exclusive) waits for every
-- transaction that already wrote, so no transaction of an older epoch commits after the bump.
CREATE OR REPLACE FUNCTION domicile.check_epoch() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    claimed bigint;
    fenced  domicile.fence%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7237970109966541925);
    SELECT * INTO fenced FROM domicile.fence;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'domicile: the fence of this database has no epoch; install it with an initial epoch'
            USING ERRCODE = 'DM002';
    END IF;
    claimed := nullif(current_setting('domicile.epoch', true), '')::bigint;
    IF claimed IS NULL OR claimed < fenced.epoch THEN
        RAISE EXCEPTION 'domicile: write refused: epoch % is older than the fence of partition % (epoch %)',
            coalesce(claimed::text, 'unset'), fenced.partition, fenced.epoch
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
    SELECT epoch INTO current_epoch FROM domicile.fence FOR UPDATE;
    IF current_epoch IS NULL THEN
        RAISE EXCEPTION 'domicile: the fence of this database has no epoch' USING ERRCODE = 'DM002';
    END IF;
    IF new_epoch < current_epoch THEN
        RAISE EXCEPTION 'domicile: epoch % refused: the fence is at epoch % and epochs only grow',
            new_epoch, current_epoch USING ERRCODE = 'DM003';
    END IF;
    UPDATE domicile.fence SET epoch = new_epoch, changed_at = now() WHERE epoch < new_epoch;
    RETURN greatest(new_epoch, current_epoch);
END
$fn$;

-- Puts a table under the fence (or again, harmlessly).
CREATE OR REPLACE FUNCTION domicile.fence_table(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER domicile_fence BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s'
        ' FOR EACH STATEMENT EXECUTE FUNCTION domicile.check_epoch()', target);
END
$fn$;

CREATE OR REPLACE FUNCTION domicile.unfence_table(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS domicile_fence ON %s', target);
END
$fn$;

INSERT INTO domicile.schema_version (version) VALUES (1) ON CONFLICT DO NOTHING;
