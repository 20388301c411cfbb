-- Two of the fold's statements no longer grow with the history (issue 20: the fold's cost per hours row, measured
-- on the bench's own NLdoet burst: 100,000 hours over the spike's 165,929 prerequisite events).
--
-- - A person left without entries in a year loses their person_activity row. The DELETE read every row of
--   person_activity for that (a sequential scan filtered on the entries, 37 ms a 10,000-row chunk at 34,000
--   rows, and more as the years add rows), even in the fold, where no entry goes away. The people concerned are
--   now put in an array first and looked up by the primary key's leading column: none, no scan.
-- - The MDT candidates (80 hours or more over the region) summed each person's months by unnesting every
--   year's array into an aggregate per person (145 ms a chunk); the twelve months are now added in the row,
--   as the other statements read the arrays (every array has its twelve months: reporting_by_month).
--
-- Otherwise the function is that of migration 0075; the same rows come out.

CREATE OR REPLACE FUNCTION reporting_person_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
-- Each person's hours per month, where they count (centrale, region, municipality where it differs: more
-- than one centrale, or none known).
format($q$
    WITH changes AS (%s), h AS MATERIALIZED (  -- each row's month once, not in each of the 36 sums below
        SELECT c.sign, c.person_key, extract(year FROM c.booked_month)::integer AS year,
               extract(month FROM c.booked_month)::integer AS month, (c.hours * 100)::integer AS centi, c.nldoet, unit
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
    WHERE p.person_key = ANY (ARRAY(SELECT DISTINCT person_key FROM changes WHERE sign < 0 AND person_key IS NOT NULL))
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
        WHERE (SELECT sum(%s) FROM person_activity p
               WHERE p.person_key = k.person_key AND p.unit = 'region') >= 80 * 100
    )
    INSERT INTO mdt_crossings (person_key, kind, hours_id, worked_on, recorded_at, centrale_id)
    SELECT k.person_key, c.kind, c.hours_id, c.worked_on, c.recorded_at, c.centrale_id
    FROM candidates k, reporting_mdt_crossings_of(k.person_key) c
$q$, source, (SELECT string_agg(format('p.centi[%s]', m), ' + ') FROM generate_series(1, 12) AS m))
] $f$;
