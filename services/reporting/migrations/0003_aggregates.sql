-- Reads that do not grow with history (issue 20, point 6): aggregates kept up to date as events arrive.
--
-- A report used to read every fact row of the region and build its cube from them; it now reads small
-- aggregate tables keyed by what a reader's resolution still needs (month, centrale, PC4 area, category),
-- so a read assembles a few thousand rows at most, however long the history. Districts, municipalities
-- and suppression are still resolved at read time (reporting.cells, reporting.cube), as before.
--
-- How the aggregates stay exact: every aggregate is the sum of a pure function ("contribution") of the
-- rows of one table. Statement-level triggers on that table, with transition tables, add the
-- contributions of the new rows and subtract those of the old ones, set-based per statement: an INSERT
-- (COPY too), an UPDATE (an erasure's new key, a later task area, a re-booking) and a DELETE all keep
-- the sums right, whatever code path wrote the rows, live or in the rebuild. reporting_refill_aggregates()
-- computes the same sums from scratch (existing databases, and the tests' check that both agree).
--
-- What used to be resolved at read time and is now written with the fact (because a person-level or
-- per-month figure needs it summed in advance):
--   * booked_month: the month a flow is reported in (periods.book: its own, or the first month after a
--     closure made before it was recorded). Closing a period and mapping a centrale re-book the facts
--     concerned (reporting.configuration), and the triggers move their contributions.
--   * task_area on matches and hours: the task's current PC4 area (a later TaskUpdated moves them).
--   * nldoet on hours: worked on a configured NLdoet day (adding a day marks that day's hours).
--   * first_match_at on volunteers and tasks (the earliest match made), for waiting and time to match.

------------------------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------------------------

-- The month (first day) a moment falls in, Dutch time.
CREATE FUNCTION reporting_month(moment timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT date_trunc('month', moment AT TIME ZONE 'Europe/Amsterdam')::date
$$;

-- periods.book in SQL: the month a flow recorded at `recorded` is reported in, given the closures of the
-- municipality the booking centrale works for.
CREATE FUNCTION reporting_booked_month(natural_month date, recorded timestamptz, centrale text) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN natural_month IS NULL OR recorded IS NULL THEN natural_month ELSE greatest(natural_month, (
        SELECT (max(p.last_month) + interval '1 month')::date
        FROM period_closures p JOIN centrale_municipalities c ON c.municipality_code = p.municipality_code
        WHERE c.centrale_id = centrale AND p.closed_at <= recorded
    )) END
$$;

-- The first month at whose end `moment` lies at least 30 days back (kpis.WAITING_DAYS): from then on a
-- task or volunteer without a match counts as waiting.
CREATE FUNCTION reporting_waiting_month(moment timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT date_trunc(
        'month', (moment AT TIME ZONE 'Europe/Amsterdam') + interval '30 days' - interval '1 microsecond'
    )::date
$$;

-- Whether an age band lies in the MDT ages (kpis.MDT_AGE_BANDS).
CREATE FUNCTION reporting_mdt(age_band text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(age_band IN ('12-17', '18-20', '21-29'), false)
$$;

-- Concatenates arrays (of any length) over rows.
CREATE AGGREGATE reporting_concat(anycompatiblearray) (SFUNC = array_cat, STYPE = anycompatiblearray, INITCOND = '{}');

------------------------------------------------------------------------------------------------
-- What the facts carry now
------------------------------------------------------------------------------------------------

ALTER TABLE volunteer_facts ADD COLUMN booked_month date, ADD COLUMN first_match_at timestamptz;
ALTER TABLE organisation_facts ADD COLUMN booked_month date;
ALTER TABLE task_facts
    ADD COLUMN posted_booked date,
    ADD COLUMN closed_booked date,
    ADD COLUMN first_match_at timestamptz,
    ADD COLUMN first_match_id uuid,
    ADD COLUMN first_match_recorded_at timestamptz,
    ADD COLUMN first_booked date;
ALTER TABLE match_facts ADD COLUMN booked_month date, ADD COLUMN task_area text;
ALTER TABLE hours_facts
    ADD COLUMN booked_month date,
    ADD COLUMN task_area text,
    ADD COLUMN nldoet boolean NOT NULL DEFAULT false;

-- Reads no longer scan hours by day; a task's later area finds its hours by task instead.
DROP INDEX hours_facts_worked_on;
CREATE INDEX hours_facts_task ON hours_facts (task_id);
-- Matches reaching 3, 6 or 12 months this month are read from the facts (the aggregate is by month).
CREATE INDEX match_facts_made ON match_facts (made_at);

------------------------------------------------------------------------------------------------
-- Aggregates (reporting.rebuild.PROJECTION_TABLES lists them: a rebuild makes them afresh too)
------------------------------------------------------------------------------------------------

-- Flows counted per booked month: volunteers, organisations, tasks posted/filled/expired/first matched,
-- matches made, new volunteers per target-group label. Empty strings stand for "none".
CREATE TABLE agg_flows (
    kpi         text   NOT NULL,
    month       date   NOT NULL,
    centrale_id text   NOT NULL,
    centrale2   text   NOT NULL DEFAULT '',  -- a match's volunteer centrale (credited too after overflow)
    area        text   NOT NULL DEFAULT '',  -- the PC4 area that places it in a wijk
    category    text   NOT NULL DEFAULT '',  -- a target-group label
    n           bigint NOT NULL,
    PRIMARY KEY (kpi, month, centrale_id, centrale2, area, category)
);

-- States at a month's end, as changes: +1 in the first month it holds, -1 in the first month it no
-- longer does. The state at the end of month m is the sum over months up to m.
CREATE TABLE agg_stocks (
    kpi         text   NOT NULL,
    month       date   NOT NULL,
    centrale_id text   NOT NULL,
    area        text   NOT NULL DEFAULT '',
    category    text   NOT NULL DEFAULT '',  -- interest or theme
    delta       bigint NOT NULL,
    PRIMARY KEY (kpi, month, centrale_id, area, category)
);

-- Hours (by theme) and NLdoet hours per booked month, with who gave them: up to five distinct people
-- (a person key, or the hours id of hours nobody can be named for) with their entries, and whether more
-- gave hours. That is exactly what small-cell suppression needs (1-4 people or not), also for a union
-- of cells (a quarter, a wijk).
CREATE TABLE agg_hours (
    kpi          text      NOT NULL,
    month        date      NOT NULL,
    centrale_id  text      NOT NULL,
    area         text      NOT NULL DEFAULT '',
    theme        text      NOT NULL DEFAULT '',
    amount       numeric   NOT NULL,
    facts        bigint    NOT NULL,
    persons      uuid[]    NOT NULL,
    person_facts integer[] NOT NULL,
    more         boolean   NOT NULL,
    PRIMARY KEY (kpi, month, centrale_id, area, theme)
);

-- Matches that reach 3, 6 or 12 months in a month, and whether they were still running then. (Reads take
-- the current month's from the facts: those count only once their moment has come.)
CREATE TABLE agg_retention (
    months      integer NOT NULL,
    mark_month  date    NOT NULL,
    centrale_id text    NOT NULL,
    centrale2   text    NOT NULL,
    area        text    NOT NULL DEFAULT '',
    active      boolean NOT NULL,
    n           bigint  NOT NULL,
    PRIMARY KEY (months, mark_month, centrale_id, centrale2, area, active)
);

-- Seconds from posting to a first match of the tasks first matched in a booked month (for the median
-- and 90th percentile, which need every value).
CREATE TABLE agg_durations (
    month       date     NOT NULL,
    centrale_id text     NOT NULL,
    area        text     NOT NULL DEFAULT '',
    seconds     float8[] NOT NULL,
    PRIMARY KEY (month, centrale_id, area)
);

-- A person's hours per booked month of a year, summed where they count: each centrale (`c:<id>`), the
-- region, and the municipality (`m:<code>`, `m:-` for centrales ops have not mapped) where that differs
-- from the centrale, i.e. where a municipality has more than one centrale; with the person's current
-- home area, MDT age and labels. The month arrays have 12 elements; hours in hundredths (exact).
CREATE TABLE person_activity (
    person_key uuid      NOT NULL,
    year       integer   NOT NULL,
    unit       text      NOT NULL,
    centi      bigint[]  NOT NULL,  -- hours x 100
    entries    integer[] NOT NULL,
    nldoet     integer[] NOT NULL,  -- entries on NLdoet days
    home_area  text      NOT NULL DEFAULT '',
    mdt        boolean   NOT NULL DEFAULT false,
    labels     text[]    NOT NULL DEFAULT '{}',
    PRIMARY KEY (person_key, year, unit)
);

-- People per standard period and unit: with any hours (n_any), with at least one hour (n_active), with
-- hours on an NLdoet day (n_nldoet); by home area, MDT age and labels.
CREATE TABLE agg_active (
    period   text    NOT NULL,
    unit     text    NOT NULL,
    area     text    NOT NULL,
    mdt      boolean NOT NULL,
    labels   text[]  NOT NULL,
    n_any    bigint  NOT NULL,
    n_active bigint  NOT NULL,
    n_nldoet bigint  NOT NULL,
    PRIMARY KEY (period, unit, area, mdt, labels)
);

-- The hours entry with which a person first reached 80 h within 6 months (mdt_basis_completed) and
-- 200 h in all (mdt_plus_completed). Only people who reached 80 h have rows; reads keep the MDT ages.
CREATE TABLE mdt_crossings (
    person_key  uuid        NOT NULL,
    kind        text        NOT NULL,
    hours_id    uuid        NOT NULL,
    worked_on   date        NOT NULL,
    recorded_at timestamptz NOT NULL,
    centrale_id text        NOT NULL,
    PRIMARY KEY (person_key, kind)
);

-- Hours written but not yet in the aggregates above. Writing hours only queues them here (the NLdoet burst
-- stays as cheap to ingest as a COPY); reporting_fold_hours() moves them into the aggregates in large
-- chunks, from a background worker and before every read (reporting.folding), so no read misses any.
CREATE TABLE hours_pending (
    hours_id uuid PRIMARY KEY
);

------------------------------------------------------------------------------------------------
-- People behind a cell: at most five, with their entries (agg_hours)
------------------------------------------------------------------------------------------------

-- Merge changes (person, entries added or taken away) into a bucket's list. Listed people keep their
-- place while they have entries; new people fill free places in key order; people who find no place
-- set `more`. `stale`: people left the list while others may be missing from it, so the list must be
-- read again from the facts (reporting_people_of).
CREATE FUNCTION reporting_merge_people(
    listed_persons uuid[], listed_counts integer[], listed_more boolean, changed uuid[], deltas integer[]
) RETURNS TABLE (persons uuid[], counts integer[], more boolean, stale boolean)
LANGUAGE sql IMMUTABLE AS $$
    WITH listed AS (SELECT p, c FROM unnest(listed_persons, listed_counts) AS t(p, c)),
    change AS (SELECT p, sum(d)::integer AS d FROM unnest(changed, deltas) AS t(p, d) GROUP BY p),
    merged AS (
        SELECT coalesce(l.p, c.p) AS p, coalesce(l.c, 0) + coalesce(c.d, 0) AS c, l.p IS NOT NULL AS was_listed
        FROM listed l FULL JOIN change c ON c.p = l.p
    ),
    kept AS (SELECT p, c FROM merged WHERE was_listed AND c > 0),
    newcomers AS (SELECT p, c, row_number() OVER (ORDER BY p) AS rank FROM merged WHERE NOT was_listed AND c > 0),
    chosen AS (
        SELECT p, c FROM kept
        UNION ALL SELECT p, c FROM newcomers WHERE rank <= 5 - (SELECT count(*) FROM kept)
    ),
    overflow AS (SELECT coalesce(listed_more, false) OR EXISTS (
        SELECT 1 FROM newcomers WHERE rank > 5 - (SELECT count(*) FROM kept)
    ) AS more)
    SELECT coalesce(array_agg(p ORDER BY p), '{}'), coalesce(array_agg(c ORDER BY p), '{}'),
           (SELECT more FROM overflow), (SELECT more FROM overflow) AND count(*) < 5
    FROM chosen
$$;

-- A bucket's list read from the facts: the first five people in key order and whether there are more.
CREATE FUNCTION reporting_people_of(bucket_kpi text, bucket_month date, bucket_centrale text, bucket_area text,
                                    bucket_theme text)
RETURNS TABLE (persons uuid[], counts integer[], more boolean)
LANGUAGE sql STABLE AS $$
    WITH people AS (
        SELECT coalesce(h.person_key, h.hours_id) AS p, count(*)::integer AS c
        FROM hours_facts h
        WHERE h.booked_month = bucket_month AND h.centrale_id = bucket_centrale
          AND coalesce(h.task_area, '') = bucket_area
          AND CASE bucket_kpi WHEN 'nldoet_hours' THEN h.nldoet ELSE h.theme = bucket_theme END
          AND NOT EXISTS (SELECT 1 FROM hours_pending q WHERE q.hours_id = h.hours_id)
        GROUP BY 1 ORDER BY 1 LIMIT 6
    ), numbered AS (SELECT p, c, row_number() OVER (ORDER BY p) AS rank FROM people)
    SELECT coalesce(array_agg(p ORDER BY p) FILTER (WHERE rank <= 5), '{}'),
           coalesce(array_agg(c ORDER BY p) FILTER (WHERE rank <= 5), '{}'),
           count(*) > 5
    FROM numbered
$$;

------------------------------------------------------------------------------------------------
-- MDT: the entries with which a person reached 80 h within 6 months, and 200 h (queries._mdt_crossings)
------------------------------------------------------------------------------------------------

CREATE FUNCTION reporting_mdt_crossings_of(person uuid)
RETURNS TABLE (kind text, hours_id uuid, worked_on date, recorded_at timestamptz, centrale_id text)
LANGUAGE sql STABLE AS $$
    WITH entries AS (
        SELECT h.hours_id, h.worked_on, h.recorded_at, h.centrale_id,
               sum(h.hours) OVER (ORDER BY h.worked_on, h.hours_id) AS total
        FROM hours_facts h WHERE h.person_key = person
    ), windows AS (
        -- Within 6 months: what came after the last entry on or before the day 6 months back.
        SELECT e.*, e.total - coalesce((
            SELECT max(b.total) FROM entries b WHERE b.worked_on <= (e.worked_on - interval '6 months')::date
        ), 0) AS recent
        FROM entries e
    )
    (SELECT 'mdt_basis_completed', w.hours_id, w.worked_on, w.recorded_at, w.centrale_id FROM windows w
     WHERE w.recent >= 80 ORDER BY w.worked_on, w.hours_id LIMIT 1)
    UNION ALL
    (SELECT 'mdt_plus_completed', w.hours_id, w.worked_on, w.recorded_at, w.centrale_id FROM windows w
     WHERE w.total >= 200 ORDER BY w.worked_on, w.hours_id LIMIT 1)
$$;

-- SQL text of a 12-element array: the sum of `expression` over the rows of each month (column `month`).
CREATE FUNCTION reporting_by_month(expression text, element text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'ARRAY[' || string_agg(format('coalesce(sum(%s) FILTER (WHERE month = %s), 0)', expression, m), ', ')
           || ']::' || element || '[]'
    FROM generate_series(1, 12) AS m
$$;

-- SQL text of the element-wise sum of two 12-element arrays (written out: no unnesting per row).
CREATE FUNCTION reporting_added(a text, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'ARRAY[' || string_agg(format('%s[%s] + %s[%s]', a, m, b, m), ', ') || ']'
    FROM generate_series(1, 12) AS m
$$;

-- Person-level figures are kept per standard period: the month, quarter, half year and year, named as
-- periods.Period names them (2026-03, 2026-Q1, 2026-H1, 2026). SQL text of a UNION of four SELECTs over
-- `per_month` (a person_activity row with a month `m` it has entries in) giving, for each period around `m`,
-- the period and the sums of entries (e), hundredths (h) and NLdoet entries (n) over its months. Subscripts
-- are written out: no unnesting or lateral VALUES per row (both cost far more per row).
CREATE FUNCTION reporting_periods_around() RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    WITH spans(suffix, first, size) AS (VALUES
        ($s$'-' || lpad(m::text, 2, '0')$s$, 'm', 1),
        ($s$'-Q' || ((m + 2) / 3)$s$, '((m + 2) / 3 * 3 - 2)', 3),
        ($s$'-H' || ((m + 5) / 6)$s$, '((m + 5) / 6 * 6 - 5)', 6),
        ($s$''$s$, '1', 12)
    )
    SELECT string_agg(format(
        'SELECT sign, person_key, year, unit, home_area, mdt, labels, year::text || %s AS period, %s AS e, %s AS h,'
        ' %s AS n FROM per_month', suffix,
        (SELECT string_agg(format('entries[%s + %s]', first, i), ' + ') FROM generate_series(0, size - 1) i),
        (SELECT string_agg(format('centi[%s + %s]', first, i), ' + ') FROM generate_series(0, size - 1) i),
        (SELECT string_agg(format('nldoet[%s + %s]', first, i), ' + ') FROM generate_series(0, size - 1) i)),
        ' UNION ALL ')
    FROM spans
$$;

------------------------------------------------------------------------------------------------
-- Contributions, per table: statements over a relation `changes` (sign, then the table's columns)
------------------------------------------------------------------------------------------------

CREATE FUNCTION reporting_volunteer_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH changes AS (%s), contributions AS (
        SELECT 'volunteers_new' AS kpi, booked_month AS month, centrale_id, coalesce(postcode_area, '') AS area,
               '' AS category, sign
        FROM changes WHERE registered_at IS NOT NULL
        UNION ALL
        SELECT 'target_group_new', booked_month, centrale_id, '', label, sign
        FROM changes, unnest(target_groups) AS label WHERE registered_at IS NOT NULL
    )
    INSERT INTO agg_flows AS a (kpi, month, centrale_id, area, category, n)
    SELECT kpi, month, centrale_id, area, category, sum(sign) FROM contributions
    GROUP BY kpi, month, centrale_id, area, category HAVING sum(sign) <> 0
    ORDER BY kpi, month, centrale_id, area, category  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, category) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source),
format($q$
    WITH changes AS (%s), v AS (
        SELECT sign, centrale_id, coalesce(postcode_area, '') AS area, interests,
               reporting_month(registered_at) AS registered, reporting_month(erased_at) AS erased,
               CASE WHEN matching_consent THEN reporting_waiting_month(registered_at) END AS waits_from,
               least(reporting_month(erased_at), reporting_month(first_match_at)) AS waits_until
        FROM changes WHERE registered_at IS NOT NULL
    ), spans AS (
        SELECT 'volunteers_registered' AS kpi, registered AS since, erased AS until, centrale_id, area, '' AS category,
               sign
        FROM v
        UNION ALL
        SELECT 'volunteers_waiting', waits_from, waits_until, centrale_id, area, category, sign
        FROM v, unnest(array_prepend('', interests)) AS category WHERE waits_from IS NOT NULL
    ), contributions AS (
        SELECT kpi, since AS month, centrale_id, area, category, sign FROM spans WHERE until IS NULL OR since < until
        UNION ALL
        SELECT kpi, until, centrale_id, area, category, -sign FROM spans WHERE since < until
    )
    INSERT INTO agg_stocks AS a (kpi, month, centrale_id, area, category, delta)
    SELECT kpi, month, centrale_id, area, category, sum(sign) FROM contributions
    GROUP BY kpi, month, centrale_id, area, category HAVING sum(sign) <> 0
    ORDER BY kpi, month, centrale_id, area, category  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, area, category) DO UPDATE SET delta = a.delta + EXCLUDED.delta
$q$, source),
-- A person's home area, MDT age and labels follow them into their activity (and so into agg_active).
format($q$
    WITH changes AS (%s), people AS (SELECT DISTINCT person_key FROM changes)
    UPDATE person_activity p SET home_area = coalesce(v.postcode_area, ''), mdt = reporting_mdt(v.age_band),
                                 labels = coalesce(v.target_groups, '{}')
    FROM people k LEFT JOIN volunteer_facts v ON v.person_key = k.person_key
    WHERE p.person_key = k.person_key
      AND (p.home_area, p.mdt, p.labels)
          IS DISTINCT FROM (coalesce(v.postcode_area, ''), reporting_mdt(v.age_band), coalesce(v.target_groups, '{}'))
$q$, source)
] $f$;

CREATE FUNCTION reporting_organisation_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH changes AS (%s)
    INSERT INTO agg_flows AS a (kpi, month, centrale_id, area, n)
    SELECT 'organisations_new', booked_month, centrale_id, coalesce(postcode_area, ''), sum(sign)
    FROM changes WHERE registered_at IS NOT NULL
    GROUP BY booked_month, centrale_id, coalesce(postcode_area, '') HAVING sum(sign) <> 0
    ORDER BY booked_month, centrale_id, coalesce(postcode_area, '')  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, category) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source),
format($q$
    WITH changes AS (%s)
    INSERT INTO agg_stocks AS a (kpi, month, centrale_id, area, delta)
    SELECT 'organisations_admitted', reporting_month(admitted_at), centrale_id, coalesce(postcode_area, ''), sum(sign)
    FROM changes WHERE admitted_at IS NOT NULL
    GROUP BY reporting_month(admitted_at), centrale_id, coalesce(postcode_area, '') HAVING sum(sign) <> 0
    ORDER BY reporting_month(admitted_at), centrale_id, coalesce(postcode_area, '')  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, area, category) DO UPDATE SET delta = a.delta + EXCLUDED.delta
$q$, source)
] $f$;

CREATE FUNCTION reporting_task_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH changes AS (%s), t AS (SELECT * FROM changes WHERE posted_at IS NOT NULL), contributions AS (
        SELECT 'tasks_posted' AS kpi, posted_booked AS month, centrale_id, coalesce(postcode_area, '') AS area, sign
        FROM t
        UNION ALL
        SELECT 'tasks_' || close_reason, closed_booked, centrale_id, coalesce(postcode_area, ''), sign
        FROM t WHERE closed_at IS NOT NULL AND close_reason IN ('filled', 'expired')
        UNION ALL
        SELECT 'tasks_first_matched', first_booked, centrale_id, coalesce(postcode_area, ''), sign
        FROM t WHERE first_match_at IS NOT NULL
    )
    INSERT INTO agg_flows AS a (kpi, month, centrale_id, area, n)
    SELECT kpi, month, centrale_id, area, sum(sign) FROM contributions
    GROUP BY kpi, month, centrale_id, area HAVING sum(sign) <> 0
    ORDER BY kpi, month, centrale_id, area  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, category) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source),
format($q$
    WITH changes AS (%s), t AS (
        SELECT sign, centrale_id, coalesce(postcode_area, '') AS area, theme, reporting_month(posted_at) AS posted,
               reporting_month(closed_at) AS closed, reporting_waiting_month(posted_at) AS waits_from,
               least(reporting_month(closed_at), reporting_month(first_match_at)) AS waits_until
        FROM changes WHERE posted_at IS NOT NULL
    ), spans AS (
        SELECT 'tasks_open' AS kpi, posted AS since, closed AS until, centrale_id, area, '' AS category, sign FROM t
        UNION ALL
        SELECT 'tasks_waiting', waits_from, waits_until, centrale_id, area, category, sign
        FROM t, unnest(ARRAY['', theme]) AS category
    ), contributions AS (
        SELECT kpi, since AS month, centrale_id, area, category, sign FROM spans WHERE until IS NULL OR since < until
        UNION ALL
        SELECT kpi, until, centrale_id, area, category, -sign FROM spans WHERE since < until
    )
    INSERT INTO agg_stocks AS a (kpi, month, centrale_id, area, category, delta)
    SELECT kpi, month, centrale_id, area, category, sum(sign) FROM contributions
    GROUP BY kpi, month, centrale_id, area, category HAVING sum(sign) <> 0
    ORDER BY kpi, month, centrale_id, area, category  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, area, category) DO UPDATE SET delta = a.delta + EXCLUDED.delta
$q$, source),
-- Durations in seconds between the local wall-clock times, as queries did (days = seconds / 86,400).
format($q$
    WITH changes AS (%s), d AS (
        SELECT sign, first_booked AS month, centrale_id, coalesce(postcode_area, '') AS area,
               extract(epoch FROM (first_match_at AT TIME ZONE 'Europe/Amsterdam')
                                  - (posted_at AT TIME ZONE 'Europe/Amsterdam'))::float8 AS seconds
        FROM changes WHERE posted_at IS NOT NULL AND first_match_at IS NOT NULL
    ), b AS (
        SELECT month, centrale_id, area,
               coalesce(array_agg(seconds) FILTER (WHERE sign > 0), '{}') AS added,
               coalesce(array_agg(seconds) FILTER (WHERE sign < 0), '{}') AS removed
        FROM d GROUP BY month, centrale_id, area
    )
    INSERT INTO agg_durations AS a (month, centrale_id, area, seconds)
    SELECT month, centrale_id, area, added FROM b ORDER BY 1, 2, 3
    ON CONFLICT (month, centrale_id, area) DO UPDATE SET seconds = ARRAY(
        SELECT s FROM (SELECT unnest(a.seconds) EXCEPT ALL SELECT unnest((
            SELECT removed FROM b WHERE (b.month, b.centrale_id, b.area) = (a.month, a.centrale_id, a.area)
        ))) AS kept(s)
        UNION ALL SELECT unnest(EXCLUDED.seconds)
    )
$q$, source)
] $f$;

CREATE FUNCTION reporting_match_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH changes AS (%s)
    INSERT INTO agg_flows AS a (kpi, month, centrale_id, centrale2, area, n)
    SELECT 'matches_made', booked_month, centrale_id, volunteer_centrale_id, coalesce(task_area, ''), sum(sign)
    FROM changes WHERE made_at IS NOT NULL
    GROUP BY booked_month, centrale_id, volunteer_centrale_id, coalesce(task_area, '') HAVING sum(sign) <> 0
    ORDER BY booked_month, centrale_id, volunteer_centrale_id, coalesce(task_area, '')  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, category) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source),
format($q$
    WITH changes AS (%s), marks AS (
        SELECT sign, months, centrale_id, volunteer_centrale_id, coalesce(task_area, '') AS area,
               (made_at AT TIME ZONE 'Europe/Amsterdam') + make_interval(months => months) AS mark,
               ended_at AT TIME ZONE 'Europe/Amsterdam' AS ended
        FROM changes, unnest(ARRAY[3, 6, 12]) AS months WHERE made_at IS NOT NULL
    )
    INSERT INTO agg_retention AS a (months, mark_month, centrale_id, centrale2, area, active, n)
    SELECT months, date_trunc('month', mark)::date, centrale_id, volunteer_centrale_id, area,
           ended IS NULL OR ended >= mark, sum(sign)
    FROM marks
    GROUP BY months, date_trunc('month', mark)::date, centrale_id, volunteer_centrale_id, area,
             ended IS NULL OR ended >= mark
    HAVING sum(sign) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (months, mark_month, centrale_id, centrale2, area, active) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source)
] $f$;

CREATE FUNCTION reporting_hours_cell_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
-- Hours and NLdoet hours per bucket: the amounts, then who gave them.
format($q$
    WITH changes AS (%s), h AS (
        SELECT sign, 'hours' AS kpi, booked_month, centrale_id, coalesce(task_area, '') AS area, theme,
               coalesce(person_key, hours_id) AS person, hours
        FROM changes
        UNION ALL
        SELECT sign, 'nldoet_hours', booked_month, centrale_id, coalesce(task_area, ''), '',
               coalesce(person_key, hours_id), hours
        FROM changes WHERE nldoet
    )
    INSERT INTO agg_hours (kpi, month, centrale_id, area, theme, amount, facts, persons, person_facts, more)
    SELECT DISTINCT kpi, booked_month, centrale_id, area, theme, 0, 0, '{}'::uuid[], '{}'::integer[], false FROM h
    ON CONFLICT (kpi, month, centrale_id, area, theme) DO NOTHING
$q$, source),
format($q$
    WITH changes AS (%s), h AS (
        SELECT sign, 'hours' AS kpi, booked_month, centrale_id, coalesce(task_area, '') AS area, theme,
               coalesce(person_key, hours_id) AS person, hours
        FROM changes
        UNION ALL
        SELECT sign, 'nldoet_hours', booked_month, centrale_id, coalesce(task_area, ''), '',
               coalesce(person_key, hours_id), hours
        FROM changes WHERE nldoet
    ), per_person AS (
        SELECT kpi, booked_month, centrale_id, area, theme, person, sum(sign)::integer AS n, sum(sign * hours) AS amount
        FROM h GROUP BY kpi, booked_month, centrale_id, area, theme, person
    ), per_bucket AS (
        SELECT kpi, booked_month AS month, centrale_id, area, theme, sum(amount) AS amount, sum(n) AS facts,
               array_agg(person ORDER BY person) AS persons, array_agg(n ORDER BY person) AS deltas
        FROM per_person GROUP BY kpi, booked_month, centrale_id, area, theme
    )
    UPDATE agg_hours a SET amount = a.amount + b.amount, facts = a.facts + b.facts,
        (persons, person_facts, more) = (
            SELECT m.persons, m.counts, m.more
            FROM reporting_merge_people(a.persons, a.person_facts, a.more, b.persons, b.deltas) m
        )
    FROM per_bucket b
    WHERE (a.kpi, a.month, a.centrale_id, a.area, a.theme) = (b.kpi, b.month, b.centrale_id, b.area, b.theme)
$q$, source),
-- Lists that lost a listed person while more people gave hours: read them again from the facts.
$q$
    UPDATE agg_hours a SET (persons, person_facts, more) = (
        SELECT f.persons, f.counts, f.more FROM reporting_people_of(a.kpi, a.month, a.centrale_id, a.area, a.theme) f
    )
    WHERE a.more AND cardinality(a.persons) < 5
$q$
] $f$;

-- Each person's hours where they count, and their MDT crossings.
CREATE FUNCTION reporting_person_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
-- Each person's hours per month, where they count (centrale, region, municipality where it differs: more
-- than one centrale, or none known).
format($q$
    WITH changes AS (%s), h AS (
        SELECT c.sign, c.person_key, extract(year FROM c.booked_month)::integer AS year,
               extract(month FROM c.booked_month)::integer AS month, (c.hours * 100)::bigint AS centi, c.nldoet, unit
        FROM changes c
        LEFT JOIN centrale_municipalities cm ON cm.centrale_id = c.centrale_id
        LEFT JOIN (SELECT municipality_code, count(*) AS centrales FROM centrale_municipalities GROUP BY 1) mc
               ON mc.municipality_code = cm.municipality_code,
        unnest(ARRAY['c:' || c.centrale_id, 'region']
               || CASE WHEN cm.municipality_code IS NULL OR mc.centrales > 1
                       THEN ARRAY['m:' || coalesce(cm.municipality_code, '-')] ELSE '{}' END) AS unit
        WHERE c.person_key IS NOT NULL
    ), rows AS (
        SELECT person_key, year, unit, %s AS centi, %s AS entries, %s AS nldoet
        FROM h GROUP BY person_key, year, unit
    )
    INSERT INTO person_activity AS p (person_key, year, unit, centi, entries, nldoet, home_area, mdt, labels)
    SELECT r.person_key, r.year, r.unit, r.centi, r.entries, r.nldoet, coalesce(v.postcode_area, ''),
           reporting_mdt(v.age_band), coalesce(v.target_groups, '{}')
    FROM rows r LEFT JOIN volunteer_facts v ON v.person_key = r.person_key
    ORDER BY 1, 2, 3
    ON CONFLICT (person_key, year, unit) DO UPDATE SET centi = %s, entries = %s, nldoet = %s
$q$, source, reporting_by_month('sign * centi', 'bigint'), reporting_by_month('sign', 'integer'),
    reporting_by_month('CASE WHEN nldoet THEN sign ELSE 0 END', 'integer'),
    reporting_added('p.centi', 'EXCLUDED.centi'), reporting_added('p.entries', 'EXCLUDED.entries'),
    reporting_added('p.nldoet', 'EXCLUDED.nldoet')),
-- A person without entries left in a year has no row there (an erased id leaves none behind).
format($q$
    WITH changes AS (%s)
    DELETE FROM person_activity p
    WHERE p.person_key IN (SELECT person_key FROM changes WHERE sign < 0 AND person_key IS NOT NULL)
      AND 0 = ALL (p.entries)
$q$, source),
-- MDT crossings of the people concerned: only those with 80 hours or more can have any.
format($q$
    WITH changes AS (%s)
    DELETE FROM mdt_crossings WHERE person_key IN (SELECT person_key FROM changes WHERE person_key IS NOT NULL)
$q$, source),
format($q$
    WITH changes AS (%s), people AS (SELECT DISTINCT person_key FROM changes WHERE person_key IS NOT NULL),
    candidates AS (
        SELECT k.person_key FROM people k
        WHERE (SELECT sum(x) FROM person_activity p, unnest(p.centi) AS x
               WHERE p.person_key = k.person_key AND p.unit = 'region') >= 80 * 100
    )
    INSERT INTO mdt_crossings (person_key, kind, hours_id, worked_on, recorded_at, centrale_id)
    SELECT k.person_key, c.kind, c.hours_id, c.worked_on, c.recorded_at, c.centrale_id
    FROM candidates k, reporting_mdt_crossings_of(k.person_key) c
$q$, source)
] $f$;

-- Only the periods around the months a row has entries in are counted: an hours entry touches one month,
-- so four periods (its month, quarter, half year and year), not nineteen. Old rows count -1, new ones +1.
CREATE FUNCTION reporting_activity_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH changes AS (%s), per_month AS (
        SELECT c.*, m FROM changes c, generate_series(1, 12) AS m WHERE c.entries[m] <> 0
    ), per_period AS (
        SELECT DISTINCT * FROM (%s) AS p  -- a period around two months of a row once
    )
    INSERT INTO agg_active AS a (period, unit, area, mdt, labels, n_any, n_active, n_nldoet)
    SELECT period, unit, home_area, mdt, labels, sum(sign), coalesce(sum(sign) FILTER (WHERE h >= 100), 0),
           coalesce(sum(sign) FILTER (WHERE n > 0), 0)
    FROM per_period
    GROUP BY period, unit, home_area, mdt, labels
    HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE h >= 100), 0) <> 0
        OR coalesce(sum(sign) FILTER (WHERE n > 0), 0) <> 0
    ORDER BY period, unit, home_area, mdt, labels  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (period, unit, area, mdt, labels) DO UPDATE SET
        n_any = a.n_any + EXCLUDED.n_any, n_active = a.n_active + EXCLUDED.n_active,
        n_nldoet = a.n_nldoet + EXCLUDED.n_nldoet
$q$, source, reporting_periods_around())
] $f$;

------------------------------------------------------------------------------------------------
-- Triggers
------------------------------------------------------------------------------------------------

CREATE FUNCTION reporting_statements(kind text, source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind
        WHEN 'volunteer_facts' THEN reporting_volunteer_statements(source)
        WHEN 'organisation_facts' THEN reporting_organisation_statements(source)
        WHEN 'task_facts' THEN reporting_task_statements(source)
        WHEN 'match_facts' THEN reporting_match_statements(source)
        WHEN 'hours_facts' THEN reporting_hours_cell_statements(source) || reporting_person_statements(source)
        WHEN 'person_activity' THEN reporting_activity_statements(source)
    END
$$;

-- The one trigger function: the changed rows (old ones with sign -1, new ones with +1) through the
-- statements of the table it is attached to (TG_ARGV[0]). Transition tables are visible to EXECUTE here.
CREATE FUNCTION reporting_apply_changes() RETURNS trigger
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
        -- The fold: hours leaving the queue count from now on, as they are now.
        source := 'SELECT 1 AS sign, h.* FROM old_rows p JOIN hours_facts h ON h.hours_id = p.hours_id';
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
    RETURN NULL;
END
$$;

-- Move up to `chunk` queued hours into the aggregates; how many. The hours rows are locked first, so an
-- update of them (an erasure, a task's new area) either comes before (and the fold counts the new values)
-- or waits (and then moves the counted ones); and their volunteers' keyed locks (namespace `entity_locks`,
-- common.locks.KeyedLock.REPORTING_ENTITY), so a profile update and the fold take turns over the
-- attributes a person's activity carries. Callers hold the switch gate shared, as projections do.
CREATE FUNCTION reporting_fold_hours(chunk integer, entity_locks integer) RETURNS integer
LANGUAGE sql AS $$
    WITH chosen AS (
        SELECT p.hours_id FROM hours_pending p ORDER BY p.hours_id LIMIT chunk FOR UPDATE
    ), people AS (
        SELECT pg_advisory_xact_lock(entity_locks, k.h) FROM (
            SELECT DISTINCT hashtext('person:' || h.person_key::text) AS h FROM hours_facts h
            WHERE h.hours_id IN (SELECT hours_id FROM chosen) AND h.person_key IS NOT NULL ORDER BY 1
        ) AS k
    ), locked AS (
        SELECT h.hours_id FROM hours_facts h WHERE h.hours_id IN (SELECT hours_id FROM chosen) ORDER BY h.hours_id
        FOR UPDATE
    ), folded AS (
        DELETE FROM hours_pending p WHERE p.hours_id IN (SELECT hours_id FROM chosen)
            -- every lock taken before any entry is folded
            AND (SELECT count(*) FROM people) >= 0 AND (SELECT count(*) FROM locked) >= 0
        RETURNING 1
    )
    SELECT count(*)::integer FROM folded
$$;

-- Attach the triggers to the tables in `schema` (public; the rebuild's fresh schema).
CREATE FUNCTION reporting_attach_triggers(schema text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    EXECUTE format('CREATE TRIGGER hours_pending_deleted AFTER DELETE ON %I.hours_pending REFERENCING OLD TABLE AS'
                   ' old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', schema, 'hours_pending');
    FOREACH t IN ARRAY ARRAY['volunteer_facts', 'organisation_facts', 'task_facts', 'match_facts', 'hours_facts',
                             'person_activity'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_inserted', schema, t, t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_updated', schema, t, t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I.%I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_deleted', schema, t, t);
    END LOOP;
END
$$;

-- Every aggregate from scratch out of the facts (the derived columns as they are). The triggers'
-- sums must equal this at every moment; tests check it.
CREATE FUNCTION reporting_refill_aggregates() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    statement text;
BEGIN
    TRUNCATE agg_flows, agg_stocks, agg_hours, agg_retention, agg_durations, person_activity, agg_active,
             mdt_crossings, hours_pending;
    FOREACH t IN ARRAY ARRAY['volunteer_facts', 'organisation_facts', 'task_facts', 'match_facts', 'hours_facts']
    LOOP
        FOREACH statement IN ARRAY reporting_statements(t, format('SELECT 1 AS sign, * FROM %I', t)) LOOP
            EXECUTE statement;  -- person_activity's own trigger fills agg_active
        END LOOP;
    END LOOP;
END
$$;

-- Every person's activity from scratch (the folded hours): after ops map a centrale to a municipality,
-- the units hours count in may differ.
CREATE FUNCTION reporting_recount_people() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    statement text;
BEGIN
    TRUNCATE person_activity, agg_active, mdt_crossings;
    FOREACH statement IN ARRAY reporting_person_statements(
        'SELECT 1 AS sign, h.* FROM hours_facts h WHERE NOT EXISTS (SELECT 1 FROM hours_pending p'
        ' WHERE p.hours_id = h.hours_id)'
    ) LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

------------------------------------------------------------------------------------------------
-- Existing facts: derive the new columns, then the aggregates
------------------------------------------------------------------------------------------------

UPDATE volunteer_facts v SET
    booked_month = reporting_booked_month(reporting_month(registered_at), recorded_at, centrale_id),
    first_match_at = (SELECT min(m.made_at) FROM match_facts m WHERE m.person_key = v.person_key);
UPDATE organisation_facts SET booked_month = reporting_booked_month(reporting_month(registered_at), recorded_at, centrale_id);
UPDATE task_facts t SET
    posted_booked = reporting_booked_month(reporting_month(t.posted_at), t.recorded_at, t.centrale_id),
    closed_booked = reporting_booked_month(reporting_month(t.closed_at), t.closed_recorded_at, t.centrale_id),
    first_match_at = f.made_at, first_match_id = f.match_id, first_match_recorded_at = f.recorded_at,
    first_booked = reporting_booked_month(reporting_month(f.made_at), f.recorded_at, t.centrale_id)
FROM task_facts k LEFT JOIN LATERAL (
    SELECT m.made_at, m.match_id, m.recorded_at FROM match_facts m
    WHERE m.task_id = k.task_id AND m.made_at IS NOT NULL ORDER BY m.made_at, m.match_id LIMIT 1
) f ON true
WHERE k.task_id = t.task_id;
UPDATE match_facts m SET
    booked_month = reporting_booked_month(reporting_month(m.made_at), m.recorded_at, m.centrale_id),
    task_area = (SELECT t.postcode_area FROM task_facts t WHERE t.task_id = m.task_id);
UPDATE hours_facts h SET
    booked_month = reporting_booked_month(date_trunc('month', h.worked_on)::date, h.recorded_at, h.centrale_id),
    task_area = (SELECT t.postcode_area FROM task_facts t WHERE t.task_id = h.task_id),
    nldoet = h.worked_on IN (SELECT day FROM nldoet_days);
ALTER TABLE hours_facts ALTER COLUMN booked_month SET NOT NULL;

SELECT reporting_attach_triggers('public');
SELECT reporting_refill_aggregates();
