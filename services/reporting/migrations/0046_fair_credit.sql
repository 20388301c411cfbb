-- Fair credit after regional overflow (issue 18, point 6): a volunteer placed with a neighbouring centrale
-- credits their home centrale with their hours and their activity too, as the match already did; the region
-- counts them once.
--
-- hours_facts.home_centrale_id is the match's volunteer centrale where it differs from the task's centrale
-- (NULL otherwise, and for imported history, which is the volunteer's own centrale's). It is derived from
-- match_facts when hours arrive, and set on hours that arrived before their match (reporting.projections).
-- agg_hours buckets gain it as `centrale2` (placed by reporting.cells as matches are: both centrales, both
-- municipalities where they differ, the region once); person_activity gains the home centrale's unit.
-- The triggers run the replaced statements from now on and keep moving contributions as before.

ALTER TABLE hours_facts ADD COLUMN home_centrale_id text;

ALTER TABLE agg_hours ADD COLUMN centrale2 text NOT NULL DEFAULT '';
ALTER TABLE agg_hours DROP CONSTRAINT agg_hours_pkey;
ALTER TABLE agg_hours ADD PRIMARY KEY (kpi, month, centrale_id, centrale2, area, theme);

-- A bucket's list read from the facts (now per home centrale too).
DROP FUNCTION reporting_people_of(text, date, text, text, text);
CREATE FUNCTION reporting_people_of(bucket_kpi text, bucket_month date, bucket_centrale text, bucket_centrale2 text,
                                    bucket_area text, bucket_theme text)
RETURNS TABLE (persons uuid[], counts integer[], more boolean)
LANGUAGE sql STABLE AS $$
    WITH people AS (
        SELECT coalesce(h.person_key, h.hours_id) AS p, count(*)::integer AS c
        FROM hours_facts h
        WHERE h.booked_month = bucket_month AND h.centrale_id = bucket_centrale
          AND coalesce(h.home_centrale_id, '') = bucket_centrale2
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

-- Hours per bucket, now with the volunteer's home centrale after overflow (`centrale2`).
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
               array_agg(person ORDER BY person) AS persons, array_agg(n ORDER BY person) AS deltas
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
$q$
    UPDATE agg_hours a SET (persons, person_facts, more) = (
        SELECT f.persons, f.counts, f.more FROM reporting_people_of(a.kpi, a.month, a.centrale_id, a.centrale2, a.area, a.theme) f
    )
    WHERE a.more AND cardinality(a.persons) < 5
$q$
] $f$;


-- Each person's hours where they count: as before, plus the volunteer's home centrale after overflow.
CREATE OR REPLACE FUNCTION reporting_person_statements(source text) RETURNS text[]
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
               ON mc.municipality_code = cm.municipality_code
        LEFT JOIN centrale_municipalities hm ON hm.centrale_id = c.home_centrale_id
        LEFT JOIN (SELECT municipality_code, count(*) AS centrales FROM centrale_municipalities GROUP BY 1) hc
               ON hc.municipality_code = hm.municipality_code,
        unnest(ARRAY['c:' || c.centrale_id, 'region']
               || CASE WHEN cm.municipality_code IS NULL OR mc.centrales > 1
                       THEN ARRAY['m:' || coalesce(cm.municipality_code, '-')] ELSE '{}' END
               -- the volunteer's home centrale after regional overflow, and its municipality where that is a
               -- unit of its own and another than the task's (the region counts them once)
               || CASE WHEN c.home_centrale_id IS NOT NULL AND c.home_centrale_id <> c.centrale_id
                       THEN ARRAY['c:' || c.home_centrale_id] ELSE '{}' END
               || CASE WHEN c.home_centrale_id IS NOT NULL AND c.home_centrale_id <> c.centrale_id
                            AND (hm.municipality_code IS NULL OR hc.centrales > 1)
                            AND coalesce(hm.municipality_code, '-') <> coalesce(cm.municipality_code, '-')
                       THEN ARRAY['m:' || coalesce(hm.municipality_code, '-')] ELSE '{}' END) AS unit
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

-- Hours already there: their home centrale from their match; the triggers move their contributions.
UPDATE hours_facts h SET home_centrale_id = m.volunteer_centrale_id
FROM match_facts m
WHERE m.match_id = h.match_id AND m.volunteer_centrale_id <> h.centrale_id;
