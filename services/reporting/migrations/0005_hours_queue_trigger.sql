-- New hours queued by a trigger of their own (issue 20: keep the projection's ingest where it was).
--
-- The generic trigger (reporting_apply_changes, migration 0003) builds its statements as text and EXECUTEs
-- them, so PostgreSQL plans them anew on every statement; for the hours burst, where every batch is one
-- COPY, that planning cost as much as the COPY itself. Queueing is all an insert of hours does, so it gets
-- static SQL, planned once per session (and again when the session's search_path changes: the rebuild's
-- connection, whose search_path puts its fresh schema first, queues into the fresh hours_pending).

CREATE FUNCTION reporting_queue_hours() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hours_pending (hours_id) SELECT hours_id FROM new_rows ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION reporting_attach_table_triggers(schema text, t text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION %s', t || '_inserted', schema, t,
                   CASE WHEN t = 'hours_facts' THEN 'reporting_queue_hours()'
                        ELSE format('reporting_apply_changes(%L)', t) END);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_updated', schema, t, t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I.%I REFERENCING OLD TABLE AS old_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_deleted', schema, t, t);
END
$$;

DROP TRIGGER hours_facts_inserted ON hours_facts;
CREATE TRIGGER hours_facts_inserted AFTER INSERT ON hours_facts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_queue_hours();
