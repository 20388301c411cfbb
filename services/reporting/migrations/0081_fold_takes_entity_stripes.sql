-- The fold takes its volunteers' entity locks by stripe, as the projections now do (issue 20).
--
-- A projection's batch of 2,000 events named up to 4,000 task and person keys, one advisory lock each, and
-- PostgreSQL's lock slots are shared by the whole server (max_locks_per_transaction × connections, 6,400 by
-- default): a region's services on one small server could run out ("out of shared memory") while catching up.
-- Keys of REPORTING_ENTITY now lock their stripe, hashtext(key) & 1023 (common.locks.KEY_STRIPES - 1), so a
-- transaction holds at most 1,024 of them. The fold must lock the same stripes as the projections, or a profile
-- update and the fold would no longer take turns. Only the lock key changes.

CREATE OR REPLACE FUNCTION reporting_fold_hours(chunk integer, entity_locks integer) RETURNS integer
LANGUAGE sql AS $$
    WITH chosen AS (
        SELECT p.hours_id FROM hours_pending p ORDER BY p.hours_id LIMIT chunk FOR UPDATE
    ), people AS (
        SELECT pg_advisory_xact_lock(entity_locks, k.stripe) FROM (
            SELECT DISTINCT hashtext('person:' || h.person_key::text) & 1023 AS stripe FROM hours_facts h
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
