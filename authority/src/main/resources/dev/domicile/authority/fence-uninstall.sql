-- Removes the Domicile fence: the trigger from every fenced table, then the schema. Writes are no longer fenced.
DO $undo$
DECLARE
    fenced record;
BEGIN
    FOR fenced IN SELECT tgrelid::regclass AS target FROM pg_trigger WHERE tgname = 'domicile_fence' LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS domicile_fence ON %s', fenced.target);
    END LOOP;
END
$undo$;
DROP SCHEMA IF EXISTS domicile CASCADE;
