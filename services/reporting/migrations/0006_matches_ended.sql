-- Matches ended per reason (kpi matches_ended, MatchEnded.reason; main's read side counted them from the
-- facts): the match statements add them to agg_flows, in the month the match ended (not booked: the
-- projection keeps no record time for the end), once without a category (the month's and period's totals,
-- the wijk) and once per reason (the table "Waarom matches stopten"). A match ended before it was made
-- (the events crossed) counts once it was made, as the read side always did.

ALTER FUNCTION reporting_match_statements(text) RENAME TO reporting_match_statements_0003;

CREATE FUNCTION reporting_match_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT reporting_match_statements_0003(source) || ARRAY[
format($q$
    WITH changes AS (%s), ended AS (
        SELECT sign, reporting_month(ended_at) AS month, centrale_id, volunteer_centrale_id AS centrale2,
               coalesce(task_area, '') AS area, coalesce(end_reason, 'ended') AS reason
        FROM changes WHERE made_at IS NOT NULL AND ended_at IS NOT NULL
    )
    INSERT INTO agg_flows AS a (kpi, month, centrale_id, centrale2, area, category, n)
    SELECT 'matches_ended', month, centrale_id, centrale2, area, category, sum(sign)
    FROM ended, LATERAL (VALUES (''), (reason)) AS c (category)
    GROUP BY month, centrale_id, centrale2, area, category HAVING sum(sign) <> 0
    ORDER BY month, centrale_id, centrale2, area, category  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, category) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source)
] $f$;

-- Matches that had ended before this migration.
INSERT INTO agg_flows (kpi, month, centrale_id, centrale2, area, category, n)
SELECT 'matches_ended', reporting_month(ended_at), centrale_id, volunteer_centrale_id, coalesce(task_area, ''),
       c.category, count(*)
FROM match_facts, LATERAL (VALUES (''), (coalesce(end_reason, 'ended'))) AS c (category)
WHERE made_at IS NOT NULL AND ended_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
