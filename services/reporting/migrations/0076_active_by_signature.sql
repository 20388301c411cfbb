-- agg_active from each person_activity row's periods as bit masks (issue 20: the fold's cost per hours row).
--
-- person_activity's statement-level trigger counted each changed row in the periods around the months it has
-- entries in: a row of every month with entries, four periods per such row, then a DISTINCT over the whole rows
-- (labels and all) so a quarter around two months of a row counted once, then a sort for the GROUP BY. In the
-- NLdoet burst that was most of the fold, spilling to disk. Now each row states all its periods at once, as
-- three bit masks over the year's 19 periods (bits 0-11: the months, 12-15: the quarters, 16-17: the halves,
-- 18: the year): the periods it has entries in, those with at least one hour, and those with NLdoet entries.
-- Rows with the same attributes and masks are summed first (most rows of a chunk share them with others, and an
-- old row and its new one with the same masks cancel out); only those sums are spread over their periods. A row
-- counts in exactly the periods it counted in before, with the same sums.

-- SQL text of a bit mask over the 19 periods: the bit of each period set where the test holds. The test is
-- the elements of a period's months (format() of `element` with the month's number) joined by `joiner`,
-- followed by `suffix`.
CREATE FUNCTION reporting_period_mask(element text, joiner text, suffix text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format('(%s%s)::integer * %s', (
        SELECT string_agg(format(element, (k - 1) * size + i), joiner) FROM generate_series(1, size) AS i
    ), suffix, (2 ^ (first_bit + k - 1))::integer), ' + ')
    FROM (VALUES (1, 0), (3, 12), (6, 16), (12, 18)) AS spans(size, first_bit), generate_series(1, 12 / size) AS k
$$;

CREATE OR REPLACE FUNCTION reporting_activity_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH months AS (
        -- each array element read once (OFFSET 0: the masks below must not read the arrays again)
        SELECT c.sign, c.year, c.unit, c.home_area, c.mdt, c.labels, %s, %s, %s FROM (%s) c OFFSET 0
    ), signatures AS (
        SELECT year, unit, home_area, mdt, labels, %s AS counted, %s AS active, %s AS on_nldoet, sum(sign) AS n
        FROM months
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(sign) <> 0
    ), per_period AS (
        SELECT year::text || CASE WHEN b < 12 THEN '-' || lpad((b + 1)::text, 2, '0') WHEN b < 16 THEN '-Q' || (b - 11)
                                  WHEN b < 18 THEN '-H' || (b - 15) ELSE '' END AS period,
               unit, home_area, mdt, labels, n, active & (1 << b) <> 0 AS active, on_nldoet & (1 << b) <> 0 AS on_nldoet
        FROM signatures, generate_series(0, 18) AS b
        WHERE counted & (1 << b) <> 0
    )
    INSERT INTO agg_active AS a (period, unit, area, mdt, labels, n_any, n_active, n_nldoet)
    SELECT period, unit, home_area, mdt, labels, sum(n), coalesce(sum(n) FILTER (WHERE active), 0),
           coalesce(sum(n) FILTER (WHERE on_nldoet), 0)
    FROM per_period
    GROUP BY period, unit, home_area, mdt, labels
    HAVING sum(n) <> 0 OR coalesce(sum(n) FILTER (WHERE active), 0) <> 0
        OR coalesce(sum(n) FILTER (WHERE on_nldoet), 0) <> 0
    ORDER BY period, unit, home_area, mdt, labels  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (period, unit, area, mdt, labels) DO UPDATE SET
        n_any = a.n_any + EXCLUDED.n_any, n_active = a.n_active + EXCLUDED.n_active,
        n_nldoet = a.n_nldoet + EXCLUDED.n_nldoet
$q$,
    (SELECT string_agg(format('c.entries[%s] AS e%s', m, m), ', ') FROM generate_series(1, 12) AS m),
    (SELECT string_agg(format('c.centi[%s] AS h%s', m, m), ', ') FROM generate_series(1, 12) AS m),
    (SELECT string_agg(format('c.nldoet[%s] AS n%s', m, m), ', ') FROM generate_series(1, 12) AS m),
    source,
    reporting_period_mask('e%s <> 0', ' OR ', ''),
    reporting_period_mask('h%s', ' + ', ' >= 100'),
    reporting_period_mask('n%s', ' + ', ' > 0'))
] $f$;

-- Replaced by the masks.
DROP FUNCTION reporting_periods_around();
