-- The people behind each hours bucket collected without sorting (issue 20: the fold's cost per hours row).
--
-- The fold's statement that merges the people who gave hours into each bucket's list (agg_hours) collected
-- them per bucket in key order, so every person's change was sorted on the bucket's six keys and the person:
-- in the NLdoet burst a sort of some 17,000 rows per chunk of 10,000 entries. reporting_merge_people does not
-- depend on the order it gets them in (it sums each person's changes, then orders the list and the newcomers
-- itself), so the changes are now collected as they come, and the buckets are grouped by hashing. The lists
-- are the same. Otherwise the statements are those of migration 0046.

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
$q$
    UPDATE agg_hours a SET (persons, person_facts, more) = (
        SELECT f.persons, f.counts, f.more FROM reporting_people_of(a.kpi, a.month, a.centrale_id, a.centrale2, a.area, a.theme) f
    )
    WHERE a.more AND cardinality(a.persons) < 5
$q$
] $f$;
