-- Hours facts carry their own task's area again (issue 20, found loading the bench region).
--
-- A run of HoursLogged read its tasks' ids and their areas in two subqueries without an order and paired them
-- up: once task_facts was vacuumed, PostgreSQL read the ids by an index-only scan (id order) and the areas
-- from the heap (the rows' order), and hours were given another task's area (82,031 of 119,358 in one load).
-- The query is ordered now (projections/_hours.py); this repairs what it wrote before.
--
-- The statement a task's posting or update runs for its hours (projections/_tasks.py, _follow_area), for every
-- task: the aggregates follow through the hours table's triggers (folded hours move to the right area now,
-- queued ones are folded with it later). A database that was never affected changes nothing.

UPDATE hours_facts h SET task_area = t.postcode_area
FROM task_facts t
WHERE h.task_id = t.task_id AND h.task_area IS DISTINCT FROM t.postcode_area;
