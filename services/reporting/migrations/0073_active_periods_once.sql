-- agg_active without the DISTINCT over wide rows (issue 20: the fold's cost per hours row).
--
-- person_activity's statement-level trigger counted each row in the periods around the months it has entries
-- in: a row of every month with entries (a CTE, materialised), four periods per such row, then a DISTINCT over
-- the whole rows (labels and all) so a quarter around two months of a row counted once, then a sort for the
-- GROUP BY. In the NLdoet burst that DISTINCT and sort were most of the fold, both spilling to disk.
--
-- Now each period is produced once per row from the start: a month where the row has entries, a quarter, half
-- year or year where it has entries in any of its months (written out, as before: no unnesting per row), with
-- only what the sums need (whether at least one hour, whether NLdoet entries). The transition rows are read
-- four times instead of materialised once. The sums are the same: a row counts in exactly the periods it
-- counted in before, with the same sums over their months.

-- SQL text of a UNION of four SELECTs over the rows of `source` (person_activity rows with their sign): for
-- each period (periods.Period names: 2026-03, 2026-Q1, 2026-H1, 2026) in which a row has entries, the row's
-- sign, unit and attributes, and whether it has at least one hour (active) and NLdoet entries (on_nldoet) in it.
CREATE FUNCTION reporting_periods_of(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    WITH spans(suffix, series, size) AS (VALUES
        ($s$'-' || lpad(k::text, 2, '0')$s$, 'generate_series(1, 12)', 1),
        ($s$'-Q' || k$s$, 'generate_series(1, 4)', 3),
        ($s$'-H' || k$s$, 'generate_series(1, 2)', 6),
        ($s$''$s$, '(VALUES (1))', 12)
    )
    SELECT string_agg(format(
        'SELECT c.sign, c.unit, c.home_area, c.mdt, c.labels, c.year::text || %s AS period, %s >= 100 AS active,'
        ' %s > 0 AS on_nldoet FROM (%s) c, %s AS s(k) WHERE %s', suffix,
        (SELECT string_agg(format('c.centi[(k - 1) * %s + %s]', size, i), ' + ') FROM generate_series(1, size) i),
        (SELECT string_agg(format('c.nldoet[(k - 1) * %s + %s]', size, i), ' + ') FROM generate_series(1, size) i),
        source, series,
        (SELECT string_agg(format('c.entries[(k - 1) * %s + %s] <> 0', size, i), ' OR ') FROM generate_series(1, size) i)),
        ' UNION ALL ')
    FROM spans
$$;

CREATE OR REPLACE FUNCTION reporting_activity_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH per_period AS (%s)
    INSERT INTO agg_active AS a (period, unit, area, mdt, labels, n_any, n_active, n_nldoet)
    SELECT period, unit, home_area, mdt, labels, sum(sign), coalesce(sum(sign) FILTER (WHERE active), 0),
           coalesce(sum(sign) FILTER (WHERE on_nldoet), 0)
    FROM per_period
    GROUP BY period, unit, home_area, mdt, labels
    HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE active), 0) <> 0
        OR coalesce(sum(sign) FILTER (WHERE on_nldoet), 0) <> 0
    ORDER BY period, unit, home_area, mdt, labels  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (period, unit, area, mdt, labels) DO UPDATE SET
        n_any = a.n_any + EXCLUDED.n_any, n_active = a.n_active + EXCLUDED.n_active,
        n_nldoet = a.n_nldoet + EXCLUDED.n_nldoet
$q$, reporting_periods_of(source))
] $f$;

DROP FUNCTION reporting_periods_around();
