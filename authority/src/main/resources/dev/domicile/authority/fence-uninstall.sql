-- Removes the Domicile fence: the trigger from every fenced table; in privileges mode (version 3) the write
-- privileges go back to the base role and the epoch roles and the writers group are dropped; then the schema.
-- Writes are no longer fenced. Sessions still stamped with an epoch role should be closed first.
DO $undo$
DECLARE
    fenced record;
    base name;
    epoch_role record;
    writers name;
BEGIN
    FOR fenced IN SELECT tgrelid::regclass AS target FROM pg_trigger WHERE tgname = 'domicile_fence' LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS domicile_fence ON %s', fenced.target);
    END LOOP;
    IF to_regclass('domicile.epoch_roles') IS NULL THEN
        RETURN;
    END IF;
    SELECT f.base_role INTO base FROM domicile.fence f WHERE f.mode = 'privileges';
    IF base IS NOT NULL THEN
        FOR fenced IN SELECT relid::regclass AS target FROM domicile.fenced_tables
                      WHERE EXISTS (SELECT 1 FROM pg_class WHERE oid = relid) LOOP
            EXECUTE format('GRANT INSERT, UPDATE, DELETE, TRUNCATE ON %s TO %I', fenced.target, base);
        END LOOP;
    END IF;
    FOR epoch_role IN SELECT role_name FROM domicile.epoch_roles LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = epoch_role.role_name) THEN
            EXECUTE format('DROP OWNED BY %I', epoch_role.role_name);
            EXECUTE format('DROP ROLE %I', epoch_role.role_name);
        END IF;
    END LOOP;
    writers := domicile.writers_role();
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = writers) THEN
        EXECUTE format('DROP OWNED BY %I', writers);
        EXECUTE format('DROP ROLE %I', writers);
    END IF;
END
$undo$;
DROP SCHEMA IF EXISTS domicile CASCADE;
