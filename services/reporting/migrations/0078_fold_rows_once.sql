-- The fold joins its chunk to the hours facts once, not in every statement (issue 20: the fold's cost per hours
-- row).
--
-- The trigger on hours_pending gave its statements the chunk as a join of the queue's deleted ids with
-- hours_facts, and each of the five that read it joined again: five hash joins over the whole hours table per
-- chunk in the NLdoet burst (or five times 10,000 index probes where the table is large). The chunk's hours
-- rows are now copied once into a temporary table (dropped again before the trigger returns; a failed fold
-- drops it with its transaction), and the statements read that: measured on 30,000 NLdoet hours over 50,000
-- hours facts, 49-54 -> 46-48 µs of backend CPU per hours row. They are the same statements over the same
-- rows. Otherwise the function is that of migration 0003.

CREATE OR REPLACE FUNCTION reporting_apply_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    source text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
        ELSE 'SELECT -1 AS sign, * FROM old_rows UNION ALL SELECT 1, * FROM new_rows'
    END;
    statements text[];
    statement text;
    changed boolean;
BEGIN
    IF kind = 'hours_facts' AND TG_OP = 'INSERT' THEN
        -- New hours wait for the fold.
        statements := ARRAY['INSERT INTO hours_pending (hours_id) SELECT hours_id FROM new_rows ON CONFLICT DO NOTHING'];
    ELSIF kind = 'hours_facts' THEN
        -- Hours still waiting count in nothing yet: only folded ones move (an erasure's surrogate, a later area).
        source := 'SELECT * FROM (' || source || ') c'
                  ' WHERE NOT EXISTS (SELECT 1 FROM hours_pending p WHERE p.hours_id = c.hours_id)';
        statements := reporting_statements(kind, source);
    ELSIF kind = 'hours_pending' THEN
        -- The fold: hours leaving the queue count from now on, as they are now (read once, see above).
        CREATE TEMPORARY TABLE reporting_folding AS
            SELECT 1 AS sign, h.* FROM old_rows p JOIN hours_facts h ON h.hours_id = p.hours_id;
        source := 'SELECT * FROM pg_temp.reporting_folding';
        statements := reporting_statements('hours_facts', source);
    ELSE
        statements := reporting_statements(kind, source);
    END IF;
    -- An upsert fires the INSERT and the UPDATE triggers, one of them often with no rows: nothing to do.
    EXECUTE format('SELECT EXISTS (%s)', source) INTO changed;
    IF changed THEN
        FOREACH statement IN ARRAY statements LOOP
            EXECUTE statement;
        END LOOP;
    END IF;
    IF kind = 'hours_pending' THEN
        DROP TABLE pg_temp.reporting_folding;
    END IF;
    RETURN NULL;
END
$$;
