-- A region catching up: three statements whose cost grew with the history, each a batch's wait under the
-- aggregates' writer lock (issue 20, found loading the bench's region; services/reporting README, *Catching up*).
--
-- 1. Hours that change where they count (a match arriving after its hours names the volunteer's home centrale,
--    a task moving to another area) leave lists of people behind that lost a listed person while more people gave
--    hours. Each such list was read again from the facts by reporting_people_of, one sequential scan of
--    hours_facts per list: 490 lists after one batch of 2,000 matches on the bench's 20,000-volunteer region,
--    19 ms each, 9.3 s in all, under the aggregates' writer lock. They are now read in one statement, one join
--    of the lists with the hours (reporting_read_lists_again). The lists are the same: the first five people in
--    key order with their entries, and whether there are more (tests/reporting/integration/test_catching_up.py
--    compares them with migration 0077's statement).
-- 2. reporting_refresh_supply and reporting_refresh_demand (migration 0004) name their volunteers or tasks as
--    `keys IS NULL OR person_key = ANY(keys)`. From its sixth call on a connection, PostgreSQL 18 may keep a
--    generic plan for a SQL function's statement, which cannot tell a NULL from a list: it read every volunteer
--    and compared each with all 2,000 keys of a matches batch (1.5 s a call against 0.1-0.2 s). Each call is now
--    planned with the keys it was given.
-- 3. A task's and a volunteer's first match (projections/_tasks.py, _volunteers.py) were looked up by walking the
--    index on made_at and filtering on the task or the volunteer: while the tables grow faster than their
--    statistics, PostgreSQL expects a match early in that walk, and for a task or a volunteer without any it
--    reads the whole index (5-9 s for a batch of 2,000 registrations or tasks). The indexes on the task and the
--    volunteer now carry made_at (and the match id, the tie-break), so a first match is one index probe; they
--    replace the indexes of migration 0002, which served only the leading column.
--
-- Otherwise reporting_hours_cell_statements is that of migration 0077. Measured together on the bench's
-- 20,000-volunteer region: its load (288,071 events, `bench.reads`) took 368-413 s before (four loads) and
-- 143-152 s after (two); the 100,000-volunteer region's 1,332 s before and 212 s after.

-- The lists of people that lost a listed person while more people gave hours, read again from the facts in one
-- pass: the first five people in key order with their entries, and whether there are more. Hash joins only
-- (enable_nestloop off): while a region catches up the statistics of hours_facts, hours_pending and agg_hours lag
-- far behind, and a loop planned for one stale list and run for hundreds is the cost this replaces.
CREATE FUNCTION reporting_read_lists_again() RETURNS void
LANGUAGE sql SET enable_nestloop = off AS $$
    WITH stale AS MATERIALIZED (
        SELECT kpi, month, centrale_id, centrale2, area, theme FROM agg_hours
        WHERE more AND cardinality(persons) < 5
    ), people AS (
        SELECT s.kpi, s.month, s.centrale_id, s.centrale2, s.area, s.theme,
               coalesce(h.person_key, h.hours_id) AS person, count(*)::integer AS entries
        FROM stale s
        JOIN hours_facts h ON h.booked_month = s.month AND h.centrale_id = s.centrale_id
             AND coalesce(h.home_centrale_id, '') = s.centrale2 AND coalesce(h.task_area, '') = s.area
             AND CASE s.kpi WHEN 'nldoet_hours' THEN h.nldoet ELSE h.theme = s.theme END
        WHERE NOT EXISTS (SELECT 1 FROM hours_pending q WHERE q.hours_id = h.hours_id)
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), ranked AS (
        SELECT p.*, row_number() OVER (PARTITION BY kpi, month, centrale_id, centrale2, area, theme
                                       ORDER BY person) AS rank
        FROM people p
    ), lists AS (
        SELECT kpi, month, centrale_id, centrale2, area, theme,
               array_agg(person ORDER BY person) FILTER (WHERE rank <= 5) AS persons,
               array_agg(entries ORDER BY person) FILTER (WHERE rank <= 5) AS counts, count(*) > 5 AS more
        FROM ranked WHERE rank <= 6
        GROUP BY kpi, month, centrale_id, centrale2, area, theme
    )
    UPDATE agg_hours a
    SET persons = coalesce(l.persons, '{}'), person_facts = coalesce(l.counts, '{}'), more = coalesce(l.more, false)
    FROM stale s LEFT JOIN lists l USING (kpi, month, centrale_id, centrale2, area, theme)
    WHERE (a.kpi, a.month, a.centrale_id, a.centrale2, a.area, a.theme)
        = (s.kpi, s.month, s.centrale_id, s.centrale2, s.area, s.theme)
$$;

CREATE OR REPLACE FUNCTION reporting_hours_cell_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
-- Hours and NLdoet hours per bucket: the amounts, then who gave them.
format($q$
    WITH changes AS (%s), h AS (
        SELECT sign, 'hours' AS kpi, booked_month, centrale_id, coalesce(home_centrale_id, '') AS centrale2,
               coalesce(task_area, '') AS area, theme,
               coalesce(person_key, hours_id) AS person, hours
        FROM changes
        UNION ALL
        SELECT sign, 'nldoet_hours', booked_month, centrale_id, coalesce(home_centrale_id, ''),
               coalesce(task_area, ''), '',
               coalesce(person_key, hours_id), hours
        FROM changes WHERE nldoet
    )
    INSERT INTO agg_hours (kpi, month, centrale_id, centrale2, area, theme, amount, facts, persons, person_facts,
                           more)
    SELECT DISTINCT kpi, booked_month, centrale_id, centrale2, area, theme, 0, 0, '{}'::uuid[], '{}'::integer[], false FROM h
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, theme) DO NOTHING
$q$, source),
format($q$
    WITH changes AS (%s), h AS (
        SELECT sign, 'hours' AS kpi, booked_month, centrale_id, coalesce(home_centrale_id, '') AS centrale2,
               coalesce(task_area, '') AS area, theme,
               coalesce(person_key, hours_id) AS person, hours
        FROM changes
        UNION ALL
        SELECT sign, 'nldoet_hours', booked_month, centrale_id, coalesce(home_centrale_id, ''),
               coalesce(task_area, ''), '',
               coalesce(person_key, hours_id), hours
        FROM changes WHERE nldoet
    ), per_person AS (
        SELECT kpi, booked_month, centrale_id, centrale2, area, theme, person, sum(sign)::integer AS n,
               sum(sign * hours) AS amount
        FROM h GROUP BY kpi, booked_month, centrale_id, centrale2, area, theme, person
    ), per_bucket AS (
        SELECT kpi, booked_month AS month, centrale_id, centrale2, area, theme, sum(amount) AS amount,
               sum(n) AS facts,
               -- in any order, the same for both: reporting_merge_people orders the people itself
               array_agg(person) AS persons, array_agg(n) AS deltas
        FROM per_person GROUP BY kpi, booked_month, centrale_id, centrale2, area, theme
    )
    UPDATE agg_hours a SET amount = a.amount + b.amount, facts = a.facts + b.facts,
        (persons, person_facts, more) = (
            SELECT m.persons, m.counts, m.more
            FROM reporting_merge_people(a.persons, a.person_facts, a.more, b.persons, b.deltas) m
        )
    FROM per_bucket b
    WHERE (a.kpi, a.month, a.centrale_id, a.centrale2, a.area, a.theme)
        = (b.kpi, b.month, b.centrale_id, b.centrale2, b.area, b.theme)
$q$, source),
-- Lists that lost a listed person while more people gave hours: read them again from the facts.
'SELECT reporting_read_lists_again()'
] $f$;

ALTER FUNCTION reporting_refresh_supply(uuid[]) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION reporting_refresh_demand(uuid[]) SET plan_cache_mode = force_custom_plan;

CREATE INDEX match_facts_task_first ON match_facts (task_id, made_at, match_id);
DROP INDEX match_facts_task;
CREATE INDEX match_facts_person_first ON match_facts (person_key, made_at);
DROP INDEX match_facts_person;
