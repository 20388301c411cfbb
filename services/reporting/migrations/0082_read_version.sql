-- What the figures are read from carries a version, so a read can reuse the cube it built while nothing it was
-- built from has changed (issue 20: reporting.read_cache).
--
-- Every table a figures read names (reporting.cells' statements and queries.load_config) gets a statement-level
-- trigger that bumps read_version once per transaction; the read takes the version in its snapshot, so the
-- version a cached cube is kept under and the rows it was built from are the same commit's. The row is only
-- written by transactions that change the aggregates or the configuration, which take turns already
-- (Lock.REPORTING_AGGREGATES); new hours only queue (hours_facts, hours_pending: not read by the figures), so an
-- NLdoet burst never waits for this row. tests/reporting/integration/test_read_cache.py checks that every table
-- a read names has the trigger.

CREATE TABLE read_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version bigint NOT NULL,
    changed_by xid8
);
INSERT INTO read_version (version) VALUES (0);

CREATE FUNCTION reporting_reads_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: its statements become visible together, at its commit.
    UPDATE public.read_version SET version = version + 1, changed_by = pg_current_xact_id()
    WHERE changed_by IS DISTINCT FROM pg_current_xact_id();
    RETURN NULL;
END
$$;

-- The rebuild calls it again after its switch-over (the fresh tables have no triggers of this kind: LIKE does
-- not copy triggers), hence OR REPLACE for the tables that were not swapped.
CREATE FUNCTION reporting_attach_read_triggers() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['volunteer_facts', 'task_facts', 'match_facts', 'partner_facts', 'volunteer_day_facts',
                             'agg_flows', 'agg_stocks', 'agg_hours', 'agg_retention', 'agg_durations',
                             'agg_fill_durations', 'agg_active', 'agg_supply', 'mdt_crossings',
                             'centrale_municipalities', 'districts', 'nldoet_days'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER reads_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
                       ' ON public.%I FOR EACH STATEMENT EXECUTE FUNCTION reporting_reads_changed()', t);
    END LOOP;
END
$$;

SELECT reporting_attach_read_triggers();
