-- Domicile database fence, version 3: upgrades version 2 (run fence-v1.sql and fence-v2.sql first). Idempotent.
-- Undo with fence-uninstall.sql.
--
-- What changes: a second way to enforce the fence, the PRIVILEGES mode, chosen per database with
-- domicile.use_privileges(base_role). The TRIGGER mode of versions 1 and 2 stays the default and is unchanged.
--
-- PRIVILEGES mode: writes to fenced tables are allowed only to epoch roles, one per epoch, named
-- domicile_<database oid>_<epoch>; each inherits the privileges of the base role (the role that holds the
-- application's privileges) and nobody else may write a fenced table except its owner and superusers. A writer
-- stamps its session with domicile.stamp_role(epoch) + SET ROLE (Fence.stampSql does both), once per connection
-- and epoch: the stamp refuses an epoch below the fence (DM001) and opens the epoch's role if it is new. A bump
-- revokes the write privileges of every epoch role below the new epoch, after taking SHARE locks on the fenced
-- tables, which waits for every transaction that is writing them. In steady state PostgreSQL's own privilege
-- check, made for every statement anyway, is the whole fence: no trigger runs.
--
-- A writer refused for a stale epoch gets SQLSTATE DM001 from its stamp, or, if the fence was raised while its
-- session was stamped, 42501 (permission denied for table ...) from the write itself.

-- Every fenced table, whatever the mode: a bump in PRIVILEGES mode locks them, uninstall restores them.
CREATE TABLE IF NOT EXISTS domicile.fenced_tables (
    relid oid PRIMARY KEY
);
INSERT INTO domicile.fenced_tables (relid)
    SELECT tgrelid FROM pg_trigger WHERE tgname = 'domicile_fence' ON CONFLICT DO NOTHING;

ALTER TABLE domicile.fence ADD COLUMN IF NOT EXISTS mode text NOT NULL DEFAULT 'trigger'
    CHECK (mode IN ('trigger', 'privileges'));
ALTER TABLE domicile.fence ADD COLUMN IF NOT EXISTS base_role name;

-- The epoch roles opened in this database (PRIVILEGES mode), so that bumps and uninstall find them.
CREATE TABLE IF NOT EXISTS domicile.epoch_roles (
    epoch     bigint PRIMARY KEY CHECK (epoch >= 0),
    role_name name NOT NULL UNIQUE,
    opened_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON domicile.fenced_tables, domicile.epoch_roles TO PUBLIC;

-- The name of the role that writes with the given epoch in this database.
CREATE OR REPLACE FUNCTION domicile.epoch_role(epoch bigint) RETURNS name
LANGUAGE sql STABLE AS $fn$
    SELECT ('domicile_' || d.oid || '_' || epoch)::name FROM pg_database d WHERE d.datname = current_database()
$fn$;

-- The group whose members may stamp themselves with an epoch role (SET ROLE); grant it to the routers' login role.
CREATE OR REPLACE FUNCTION domicile.writers_role() RETURNS name
LANGUAGE sql STABLE AS $fn$
    SELECT ('domicile_' || d.oid || '_writers')::name FROM pg_database d WHERE d.datname = current_database()
$fn$;

-- Grants or revokes the write privileges on every fenced table to or from one role.
CREATE OR REPLACE FUNCTION domicile.set_write_privileges(grantee name, allowed boolean) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    fenced record;
BEGIN
    FOR fenced IN SELECT relid::regclass AS target FROM domicile.fenced_tables
                  WHERE EXISTS (SELECT 1 FROM pg_class WHERE oid = relid) ORDER BY relid LOOP
        IF allowed THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE, TRUNCATE ON %s TO %I', fenced.target, grantee);
        ELSE
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM %I', fenced.target, grantee);
        END IF;
    END LOOP;
END
$fn$;

-- Opens the role of an epoch at or above the fence (PRIVILEGES mode) and returns its name; NULL in TRIGGER mode.
-- Refuses an epoch below the fence with DM001. Runs as the fence's owner, who may create roles; only the writers
-- group and the epoch roles may call it, and the caller still needs membership of domicile.writers_role() to
-- SET ROLE to the result.
CREATE OR REPLACE FUNCTION domicile.stamp_role(claimed bigint) RETURNS name
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    fenced  domicile.fence%ROWTYPE;
    current_epoch bigint;
    role_name name;
BEGIN
    SELECT * INTO fenced FROM domicile.fence;
    IF NOT FOUND OR fenced.mode <> 'privileges' THEN
        RETURN NULL;
    END IF;
    current_epoch := pg_sequence_last_value('domicile.fence_epoch'::regclass);
    IF claimed IS NULL OR claimed < current_epoch THEN
        RAISE EXCEPTION 'domicile: write refused: epoch % is older than the fence of partition % (epoch %)',
            coalesce(claimed::text, 'unset'), fenced.partition, current_epoch
            USING ERRCODE = 'DM001',
                  HINT = 'this writer lost authority over the partition; refresh authority and retry';
    END IF;
    SELECT r.role_name INTO role_name FROM domicile.epoch_roles r WHERE r.epoch = claimed;
    IF FOUND THEN
        RETURN role_name;
    END IF;
    -- A new epoch: open its role under the fence's exclusive lock, so no bump runs meanwhile.
    PERFORM pg_advisory_xact_lock(7237970109966541925);
    current_epoch := pg_sequence_last_value('domicile.fence_epoch'::regclass);
    IF claimed < current_epoch THEN
        RAISE EXCEPTION 'domicile: write refused: epoch % is older than the fence of partition % (epoch %)',
            claimed, fenced.partition, current_epoch
            USING ERRCODE = 'DM001',
                  HINT = 'this writer lost authority over the partition; refresh authority and retry';
    END IF;
    role_name := domicile.epoch_role(claimed);
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN INHERIT', role_name);
    END IF;
    EXECUTE format('GRANT %I TO %I', fenced.base_role, role_name);
    EXECUTE format('GRANT %I TO %I', role_name, domicile.writers_role());
    EXECUTE format('GRANT EXECUTE ON FUNCTION domicile.stamp_role(bigint) TO %I', role_name);
    PERFORM domicile.set_write_privileges(role_name, true);
    INSERT INTO domicile.epoch_roles (epoch, role_name) VALUES (claimed, role_name) ON CONFLICT DO NOTHING;
    RETURN role_name;
END
$fn$;
ALTER FUNCTION domicile.stamp_role(bigint) OWNER TO CURRENT_USER;

-- Takes SHARE locks on every fenced table (PRIVILEGES mode): waits for every transaction writing them, and holds
-- off new writers until the caller's transaction ends. Does nothing in TRIGGER mode, whose advisory lock does that.
CREATE OR REPLACE FUNCTION domicile.lock_fenced_tables() RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    targets text;
BEGIN
    IF coalesce((SELECT mode FROM domicile.fence), 'trigger') <> 'privileges' THEN
        RETURN;
    END IF;
    SELECT string_agg(relid::regclass::text, ', ' ORDER BY relid) INTO targets
        FROM domicile.fenced_tables WHERE EXISTS (SELECT 1 FROM pg_class WHERE oid = relid);
    IF targets IS NOT NULL THEN
        EXECUTE 'LOCK TABLE ' || targets || ' IN SHARE MODE';
    END IF;
END
$fn$;

-- Ends the transactions of other sessions that are writing under the fence (they roll back) and returns how many:
-- holders of the writers' shared advisory lock that began before this transaction (TRIGGER mode), or holders of a
-- write lock on a fenced table (PRIVILEGES mode).
CREATE OR REPLACE FUNCTION domicile.end_writers() RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    ended integer;
BEGIN
    IF coalesce((SELECT mode FROM domicile.fence), 'trigger') = 'privileges' THEN
        SELECT count(pg_terminate_backend(pid)) INTO ended FROM (
            SELECT DISTINCT l.pid FROM pg_locks l JOIN domicile.fenced_tables f ON l.relation = f.relid
            WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database
                                                            WHERE datname = current_database())
              AND l.granted AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock',
                                           'AccessExclusiveLock')
              AND l.pid <> pg_backend_pid()) writers;
    ELSE
        SELECT count(pg_terminate_backend(l.pid)) INTO ended FROM pg_locks l JOIN pg_stat_activity a
            ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.objid = (7237970109966541925 & 4294967295)
              AND l.classid = (7237970109966541925 >> 32) AND l.granted AND l.mode = 'ShareLock'
              AND a.xact_start < now() AND l.pid <> pg_backend_pid();
    END IF;
    RETURN ended;
END
$fn$;

-- Raises the fence to new_epoch once every transaction that already wrote has ended (the caller takes the table
-- locks first in PRIVILEGES mode: domicile.lock_fenced_tables). Epochs only grow: an older epoch is refused, the
-- same epoch is a no-op. In PRIVILEGES mode every epoch role below new_epoch loses its write privileges.
-- Returns the epoch in force.
CREATE OR REPLACE FUNCTION domicile.bump_epoch(new_epoch bigint) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    current_epoch bigint;
    fenced domicile.fence%ROWTYPE;
    stale record;
BEGIN
    PERFORM pg_advisory_xact_lock(7237970109966541925);
    SELECT * INTO fenced FROM domicile.fence FOR UPDATE;
    current_epoch := pg_sequence_last_value('domicile.fence_epoch'::regclass);
    IF NOT FOUND OR current_epoch IS NULL THEN
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
    IF fenced.mode = 'privileges' THEN
        FOR stale IN SELECT role_name FROM domicile.epoch_roles WHERE epoch < new_epoch LOOP
            PERFORM domicile.set_write_privileges(stale.role_name, false);
        END LOOP;
    END IF;
    RETURN new_epoch;
END
$fn$;

-- Puts a table under the fence (or again, harmlessly): a trigger in TRIGGER mode; in PRIVILEGES mode, its write
-- privileges taken from PUBLIC and the base role and given to the epoch roles at or above the fence.
CREATE OR REPLACE FUNCTION domicile.fence_table(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    fenced domicile.fence%ROWTYPE;
    open_role record;
BEGIN
    INSERT INTO domicile.fenced_tables (relid) VALUES (target) ON CONFLICT DO NOTHING;
    SELECT * INTO fenced FROM domicile.fence;
    IF coalesce(fenced.mode, 'trigger') = 'trigger' THEN
        EXECUTE format('CREATE OR REPLACE TRIGGER domicile_fence BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE'
            ' ON %s FOR EACH STATEMENT EXECUTE FUNCTION domicile.check_epoch()', target);
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7237970109966541925);
    EXECUTE format('DROP TRIGGER IF EXISTS domicile_fence ON %s', target);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM PUBLIC, %I', target, fenced.base_role);
    FOR open_role IN SELECT role_name FROM domicile.epoch_roles
                     WHERE epoch >= pg_sequence_last_value('domicile.fence_epoch'::regclass) LOOP
        EXECUTE format('GRANT INSERT, UPDATE, DELETE, TRUNCATE ON %s TO %I', target, open_role.role_name);
    END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION domicile.unfence_table(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    fenced domicile.fence%ROWTYPE;
    open_role record;
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS domicile_fence ON %s', target);
    SELECT * INTO fenced FROM domicile.fence;
    IF fenced.mode = 'privileges' THEN
        FOR open_role IN SELECT role_name FROM domicile.epoch_roles LOOP
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM %I', target, open_role.role_name);
        END LOOP;
        EXECUTE format('GRANT INSERT, UPDATE, DELETE, TRUNCATE ON %s TO %I', target, fenced.base_role);
    END IF;
    DELETE FROM domicile.fenced_tables WHERE relid = target;
END
$fn$;

-- Switches this database's fence to PRIVILEGES mode with base_role holding the application's privileges (a role
-- that routers do not log in as), and creates the writers group. Every fenced table moves over at once.
-- Switching back means uninstalling (fence-uninstall.sql) and installing again.
CREATE OR REPLACE FUNCTION domicile.use_privileges(base_role name) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    fenced domicile.fence%ROWTYPE;
    table_row record;
BEGIN
    PERFORM pg_advisory_xact_lock(7237970109966541925);
    SELECT * INTO fenced FROM domicile.fence FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'domicile: the fence of this database has no epoch' USING ERRCODE = 'DM002';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = base_role) THEN
        RAISE EXCEPTION 'domicile: base role % does not exist', base_role USING ERRCODE = '42704';
    END IF;
    IF fenced.mode = 'privileges' THEN
        IF fenced.base_role <> base_role THEN
            RAISE EXCEPTION 'domicile: the fence already uses base role %, not %', fenced.base_role, base_role
                USING ERRCODE = 'DM004';
        END IF;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = domicile.writers_role()) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', domicile.writers_role());
    END IF;
    EXECUTE format('GRANT EXECUTE ON FUNCTION domicile.stamp_role(bigint) TO %I', domicile.writers_role());
    UPDATE domicile.fence SET mode = 'privileges', base_role = use_privileges.base_role;
    FOR table_row IN SELECT relid::regclass AS target FROM domicile.fenced_tables
                     WHERE EXISTS (SELECT 1 FROM pg_class WHERE oid = relid) LOOP
        PERFORM domicile.fence_table(table_row.target);
    END LOOP;
END
$fn$;

REVOKE EXECUTE ON FUNCTION domicile.stamp_role(bigint), domicile.bump_epoch(bigint), domicile.fence_table(regclass),
    domicile.unfence_table(regclass), domicile.use_privileges(name), domicile.set_write_privileges(name, boolean),
    domicile.lock_fenced_tables(), domicile.end_writers() FROM PUBLIC;

INSERT INTO domicile.schema_version (version) VALUES (3) ON CONFLICT DO NOTHING;
