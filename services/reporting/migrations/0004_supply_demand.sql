-- What is needed where (issue 19, points 1 and 2): demand against supply per municipality, wijk and theme.
--
-- Demand, per task at each month's end: places still to fill (capacity minus running matches, never below
-- zero), hours a week asked for them, and whether nobody responded yet (no volunteer proposed by matching,
-- asking for it, or matched). Supply, per volunteer at each month's end: available (registered, not erased,
-- open to matching, fewer than 3 running matches: kpis.SUPPLY_MAX_MATCHES), the themes that fit them (an
-- interest, or a skill ops list for the theme) and the wijken within their own maximum distance (PC4
-- centroids ops load; no maximum means no limit, as in matching). Both are kept per entity in a derived row
-- (task_demand, volunteer_supply) recomputed when its facts or the configuration change, and summed into
-- aggregates by the same statement triggers as migration 0003.

------------------------------------------------------------------------------------------------
-- Configuration (kept across a replay)
------------------------------------------------------------------------------------------------

-- PC4 centroids (as matching has them): distances between areas, never addresses.
CREATE TABLE postcode_areas (
    postcode_area text PRIMARY KEY CHECK (postcode_area ~ '^[1-9][0-9]{3}$'),
    lat           float8      NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon           float8      NOT NULL CHECK (lon BETWEEN -180 AND 180),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Skills that make a volunteer fit a theme (besides an interest in it).
CREATE TABLE theme_skills (
    theme text NOT NULL,
    skill text NOT NULL,
    PRIMARY KEY (theme, skill)
);

-- From the two above and `districts`: how far each area with a centroid lies from each wijk (its nearest
-- area with a centroid). Recomputed with reporting_refresh_reach() when they change.
CREATE TABLE area_reach (
    postcode_area text   NOT NULL,
    district_code text   NOT NULL,
    km            float8 NOT NULL,
    PRIMARY KEY (postcode_area, district_code)
);

CREATE FUNCTION reporting_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    -- Great-circle distance on a sphere (haversine), as matching computes it.
    SELECT 2 * 6371.0 * asin(sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2) + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)
    ))
$$;

CREATE FUNCTION reporting_refresh_reach() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM area_reach;
    INSERT INTO area_reach (postcode_area, district_code, km)
    SELECT a.postcode_area, d.district_code, min(reporting_km(a.lat, a.lon, c.lat, c.lon))
    FROM postcode_areas a
    CROSS JOIN districts d JOIN postcode_areas c ON c.postcode_area = d.postcode_area
    GROUP BY a.postcode_area, d.district_code;
$$;

------------------------------------------------------------------------------------------------
-- Facts
------------------------------------------------------------------------------------------------

ALTER TABLE volunteer_facts ADD COLUMN skills text[] NOT NULL DEFAULT '{}', ADD COLUMN max_distance_km integer;
ALTER TABLE task_facts ADD COLUMN hours_per_week numeric(5, 2);

-- A volunteer put forward for a task (proposed by matching, asking for it, offered through overflow):
-- a response. Only that it happened and when; no reasons, no person.
CREATE TABLE proposal_facts (
    match_id    uuid        PRIMARY KEY,
    task_id     uuid        NOT NULL,
    proposed_at timestamptz NOT NULL,
    via         text        NOT NULL
);
CREATE INDEX proposal_facts_task ON proposal_facts (task_id);

------------------------------------------------------------------------------------------------
-- Derived per task and per volunteer (reporting.rebuild.PROJECTION_TABLES lists them too)
------------------------------------------------------------------------------------------------

-- A posted task's demand: from each month in `months` on, `places` to fill (and hundredths of hours a week
-- asked for them), 0 from the month it closed; nobody responded until `answered` (NULL: still nobody);
-- how many responded within 30 days of posting; and how long it took to be filled.
CREATE TABLE task_demand (
    task_id         uuid      PRIMARY KEY,
    centrale_id     text      NOT NULL,
    area            text      NOT NULL,
    theme           text      NOT NULL,
    posted          date      NOT NULL,
    posted_booked   date      NOT NULL,
    closed          date,
    answered        date,
    months          date[]    NOT NULL,
    places          integer[] NOT NULL,
    hours_centi     bigint[]  NOT NULL,
    responses_30d   integer   NOT NULL,
    filled_booked   date,
    fill_seconds    float8
);

-- A volunteer's supply: from each month in `months` on available or not (`available`); the themes that fit
-- them and the wijken (with their municipalities) within their reach.
CREATE TABLE volunteer_supply (
    person_key     uuid      PRIMARY KEY,
    months         date[]    NOT NULL,
    available      boolean[] NOT NULL,
    themes         text[]    NOT NULL,
    wijken         text[]    NOT NULL,
    municipalities text[]    NOT NULL
);

------------------------------------------------------------------------------------------------
-- Aggregates. Demand goes to agg_stocks (places_open, hours_asked in hundredths, tasks_unanswered by
-- theme) and agg_flows (demand_tasks_posted, demand_responses by theme); these are new:
------------------------------------------------------------------------------------------------

-- Available, fitting volunteers within reach, as changes per month: per scope (`region`, `m:<code>` or a
-- wijk code) and theme ('' for any theme). A volunteer counts once in each cell, so cells do not add up.
CREATE TABLE agg_supply (
    month date   NOT NULL,
    scope text   NOT NULL,
    theme text   NOT NULL,
    delta bigint NOT NULL,
    PRIMARY KEY (month, scope, theme)
);

-- Seconds from posting to filled, per booked month of filling, where and which theme (for the median).
CREATE TABLE agg_fill_durations (
    month       date     NOT NULL,
    centrale_id text     NOT NULL,
    area        text     NOT NULL,
    theme       text     NOT NULL,
    seconds     float8[] NOT NULL,
    PRIMARY KEY (month, centrale_id, area, theme)
);

------------------------------------------------------------------------------------------------
-- Recomputing the derived rows (the statements of a trigger call these with the entities concerned)
------------------------------------------------------------------------------------------------

-- Tasks `ids` (NULL: every task) as they are now; rows that did not change are left alone. Set-based
-- throughout (joins and grouping, no lookup per task), so a refresh of every task stays a few seconds.
CREATE FUNCTION reporting_refresh_demand(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    WITH tasks AS (
        SELECT t.*, reporting_month(t.posted_at) AS posted, reporting_month(t.closed_at) AS closed
        FROM task_facts t WHERE t.posted_at IS NOT NULL AND (ids IS NULL OR t.task_id = ANY(ids))
    ), steps AS (  -- running matches: +1 from the month made, -1 from the month ended
        SELECT m.task_id, reporting_month(m.made_at) AS month, 1 AS d
        FROM match_facts m JOIN tasks t ON t.task_id = m.task_id WHERE m.made_at IS NOT NULL
        UNION ALL
        SELECT m.task_id, reporting_month(m.ended_at), -1
        FROM match_facts m JOIN tasks t ON t.task_id = m.task_id WHERE m.made_at IS NOT NULL AND m.ended_at IS NOT NULL
    ), points AS (  -- the months from which a task's places may differ, while it is open
        SELECT task_id, posted AS month FROM tasks
        UNION
        SELECT s.task_id, s.month FROM steps s JOIN tasks t ON t.task_id = s.task_id
        WHERE s.month > t.posted AND (t.closed IS NULL OR s.month < t.closed)
    ), places AS (
        SELECT p.task_id, p.month, greatest(coalesce(t.capacity, 1) - coalesce(sum(s.d), 0), 0)::integer AS places,
               t.hours_per_week
        FROM points p JOIN tasks t ON t.task_id = p.task_id
        LEFT JOIN steps s ON s.task_id = p.task_id AND s.month <= p.month
        WHERE t.closed IS NULL OR p.month < t.closed
        GROUP BY p.task_id, p.month, t.capacity, t.hours_per_week
    ), series AS (
        SELECT task_id, array_agg(month ORDER BY month) AS months, array_agg(places ORDER BY month) AS places,
               array_agg((places * coalesce(hours_per_week, 0) * 100)::bigint ORDER BY month) AS hours_centi
        FROM (
            SELECT task_id, month, places, hours_per_week FROM places
            UNION ALL  -- closed: nothing to fill from then on
            SELECT task_id, closed, 0, 0 FROM tasks WHERE closed IS NOT NULL
        ) s
        GROUP BY task_id
    ), responses AS (  -- a volunteer put forward: a proposal, or a match (the same id when it began as one)
        SELECT r.task_id, r.match_id, min(r.at) AS at FROM (
            SELECT p.task_id, p.match_id, p.proposed_at AS at FROM proposal_facts p JOIN tasks t ON t.task_id = p.task_id
            UNION ALL
            SELECT m.task_id, m.match_id, m.made_at FROM match_facts m JOIN tasks t ON t.task_id = m.task_id
            WHERE m.made_at IS NOT NULL
        ) r
        GROUP BY r.task_id, r.match_id
    ), answers AS (
        SELECT r.task_id, reporting_month(min(r.at)) AS answered,
               count(*) FILTER (WHERE r.at < t.posted_at + interval '30 days')::integer AS responses_30d
        FROM responses r JOIN tasks t ON t.task_id = r.task_id
        GROUP BY r.task_id
    ), computed AS (
        SELECT t.task_id, t.centrale_id, coalesce(t.postcode_area, '') AS area, t.theme, t.posted, t.posted_booked,
               t.closed, a.answered, s.months, s.places, s.hours_centi, coalesce(a.responses_30d, 0) AS responses_30d,
               CASE WHEN t.close_reason = 'filled' THEN t.closed_booked END AS filled_booked,
               CASE WHEN t.close_reason = 'filled' THEN extract(epoch FROM (t.closed_at AT TIME ZONE 'Europe/Amsterdam')
                                                     - (t.posted_at AT TIME ZONE 'Europe/Amsterdam'))::float8 END
                   AS fill_seconds
        FROM tasks t JOIN series s ON s.task_id = t.task_id LEFT JOIN answers a ON a.task_id = t.task_id
    ), gone AS (
        DELETE FROM task_demand d WHERE (ids IS NULL OR d.task_id = ANY(ids))
            AND NOT EXISTS (SELECT 1 FROM computed c WHERE c.task_id = d.task_id)
    )
    INSERT INTO task_demand AS d SELECT * FROM computed ORDER BY task_id
    ON CONFLICT (task_id) DO UPDATE SET
        centrale_id = EXCLUDED.centrale_id, area = EXCLUDED.area, theme = EXCLUDED.theme, posted = EXCLUDED.posted,
        posted_booked = EXCLUDED.posted_booked, closed = EXCLUDED.closed, answered = EXCLUDED.answered,
        months = EXCLUDED.months, places = EXCLUDED.places, hours_centi = EXCLUDED.hours_centi,
        responses_30d = EXCLUDED.responses_30d, filled_booked = EXCLUDED.filled_booked,
        fill_seconds = EXCLUDED.fill_seconds
    WHERE (d.*) IS DISTINCT FROM (EXCLUDED.*);
$$;

-- Volunteers `keys` (NULL: everyone) as they are now; set-based like reporting_refresh_demand.
CREATE FUNCTION reporting_refresh_supply(keys uuid[]) RETURNS void
LANGUAGE sql AS $$
    WITH volunteers AS (
        SELECT v.*, reporting_month(v.registered_at) AS registered, reporting_month(v.erased_at) AS erased
        FROM volunteer_facts v WHERE v.registered_at IS NOT NULL AND (keys IS NULL OR v.person_key = ANY(keys))
    ), steps AS (  -- running matches: +1 from the month made, -1 from the month ended
        SELECT m.person_key, reporting_month(m.made_at) AS month, 1 AS d
        FROM match_facts m JOIN volunteers v ON v.person_key = m.person_key WHERE m.made_at IS NOT NULL
        UNION ALL
        SELECT m.person_key, reporting_month(m.ended_at), -1
        FROM match_facts m JOIN volunteers v ON v.person_key = m.person_key
        WHERE m.made_at IS NOT NULL AND m.ended_at IS NOT NULL
    ), points AS (  -- the months from which a volunteer's availability may differ
        SELECT person_key, registered AS month FROM volunteers
        UNION SELECT person_key, erased FROM volunteers WHERE erased IS NOT NULL AND erased > registered
        UNION SELECT s.person_key, s.month FROM steps s JOIN volunteers v ON v.person_key = s.person_key
              WHERE s.month > v.registered
    ), availability AS (
        SELECT p.person_key, p.month,
               v.matching_consent AND (v.erased IS NULL OR p.month < v.erased)
                   AND coalesce(sum(s.d), 0) < 3 AS available
        FROM points p JOIN volunteers v ON v.person_key = p.person_key
        LEFT JOIN steps s ON s.person_key = p.person_key AND s.month <= p.month
        GROUP BY p.person_key, p.month, v.matching_consent, v.erased
    ), series AS (
        SELECT person_key, array_agg(month ORDER BY month) AS months, array_agg(available ORDER BY month) AS available
        FROM availability GROUP BY person_key
    ), reach AS (
        SELECT v.person_key, array_agg(r.district_code ORDER BY r.district_code) AS wijken,
               array_agg(DISTINCT 'm:GM' || substr(r.district_code, 3, 4)) AS municipalities
        FROM volunteers v JOIN area_reach r ON r.postcode_area = v.postcode_area
        WHERE v.max_distance_km IS NULL OR r.km <= v.max_distance_km
        GROUP BY v.person_key
    ), fits AS (  -- themes of interest, and themes one of their skills fits
        SELECT person_key, array_agg(DISTINCT theme ORDER BY theme) AS themes FROM (
            SELECT v.person_key, unnest(v.interests) AS theme FROM volunteers v
            UNION ALL
            SELECT v.person_key, s.theme FROM volunteers v JOIN theme_skills s ON s.skill = ANY(v.skills)
        ) f
        GROUP BY person_key
    ), computed AS (
        SELECT v.person_key, s.months, s.available, coalesce(f.themes, '{}'), coalesce(r.wijken, '{}'),
               coalesce(r.municipalities, '{}')
        FROM volunteers v JOIN series s ON s.person_key = v.person_key
        LEFT JOIN fits f ON f.person_key = v.person_key LEFT JOIN reach r ON r.person_key = v.person_key
    ), gone AS (
        DELETE FROM volunteer_supply s WHERE (keys IS NULL OR s.person_key = ANY(keys))
            AND NOT EXISTS (SELECT 1 FROM computed c WHERE c.person_key = s.person_key)
    )
    INSERT INTO volunteer_supply AS s SELECT * FROM computed ORDER BY person_key
    ON CONFLICT (person_key) DO UPDATE SET months = EXCLUDED.months, available = EXCLUDED.available,
        themes = EXCLUDED.themes, wijken = EXCLUDED.wijken, municipalities = EXCLUDED.municipalities
    WHERE (s.*) IS DISTINCT FROM (EXCLUDED.*);
$$;

------------------------------------------------------------------------------------------------
-- Contributions of the derived rows
------------------------------------------------------------------------------------------------

CREATE FUNCTION reporting_demand_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
-- Places and hours: the change from the value before each month on.
format($q$
    WITH changes AS (%s), steps AS (
        SELECT c.sign, c.centrale_id, c.area, c.theme, c.months[i] AS month,
               c.places[i] - coalesce(c.places[i - 1], 0) AS places,
               c.hours_centi[i] - coalesce(c.hours_centi[i - 1], 0) AS hours
        FROM changes c, generate_subscripts(c.months, 1) AS i
    ), contributions AS (
        SELECT 'places_open' AS kpi, month, centrale_id, area, category, sign * places AS n
        FROM steps, unnest(ARRAY['', theme]) AS category
        UNION ALL
        SELECT 'hours_asked', month, centrale_id, area, category, sign * hours
        FROM steps, unnest(ARRAY['', theme]) AS category
        UNION ALL  -- open without any response, from posting until answered or closed
        SELECT 'tasks_unanswered', posted, centrale_id, area, category, sign
        FROM changes, unnest(ARRAY['', theme]) AS category
        WHERE least(closed, answered) IS NULL OR posted < least(closed, answered)
        UNION ALL
        SELECT 'tasks_unanswered', least(closed, answered), centrale_id, area, category, -sign
        FROM changes, unnest(ARRAY['', theme]) AS category
        WHERE posted < least(closed, answered)
    )
    INSERT INTO agg_stocks AS a (kpi, month, centrale_id, area, category, delta)
    SELECT kpi, month, centrale_id, area, category, sum(n) FROM contributions
    GROUP BY kpi, month, centrale_id, area, category HAVING sum(n) <> 0
    ORDER BY kpi, month, centrale_id, area, category  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, area, category) DO UPDATE SET delta = a.delta + EXCLUDED.delta
$q$, source),
format($q$
    WITH changes AS (%s), contributions AS (
        SELECT 'demand_tasks_posted' AS kpi, posted_booked AS month, centrale_id, area, category, sign AS n
        FROM changes, unnest(ARRAY['', theme]) AS category
        UNION ALL
        SELECT 'demand_responses', posted_booked, centrale_id, area, category, sign * responses_30d
        FROM changes, unnest(ARRAY['', theme]) AS category
    )
    INSERT INTO agg_flows AS a (kpi, month, centrale_id, area, category, n)
    SELECT kpi, month, centrale_id, area, category, sum(n) FROM contributions
    GROUP BY kpi, month, centrale_id, area, category HAVING sum(n) <> 0
    ORDER BY kpi, month, centrale_id, area, category  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (kpi, month, centrale_id, centrale2, area, category) DO UPDATE SET n = a.n + EXCLUDED.n
$q$, source),
format($q$
    WITH changes AS (%s), b AS (
        SELECT filled_booked AS month, centrale_id, area, theme,
               coalesce(array_agg(fill_seconds) FILTER (WHERE sign > 0), '{}') AS added,
               coalesce(array_agg(fill_seconds) FILTER (WHERE sign < 0), '{}') AS removed
        FROM changes WHERE filled_booked IS NOT NULL GROUP BY filled_booked, centrale_id, area, theme
    )
    INSERT INTO agg_fill_durations AS a (month, centrale_id, area, theme, seconds)
    SELECT month, centrale_id, area, theme, added FROM b ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, centrale_id, area, theme) DO UPDATE SET seconds = ARRAY(
        SELECT s FROM (SELECT unnest(a.seconds) EXCEPT ALL SELECT unnest((
            SELECT removed FROM b
            WHERE (b.month, b.centrale_id, b.area, b.theme) = (a.month, a.centrale_id, a.area, a.theme)
        ))) AS kept(s)
        UNION ALL SELECT unnest(EXCLUDED.seconds)
    )
$q$, source)
] $f$;

CREATE FUNCTION reporting_supply_statements(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$ SELECT ARRAY[
format($q$
    WITH changes AS (%s), flips AS (  -- +1 where availability starts, -1 where it stops
        SELECT c.sign, c.months[i] AS month,
               CASE WHEN c.available[i] THEN 1 ELSE 0 END - CASE WHEN coalesce(c.available[i - 1], false) THEN 1 ELSE 0 END
                   AS step,
               c.themes, c.wijken, c.municipalities
        FROM changes c, generate_subscripts(c.months, 1) AS i
        WHERE cardinality(c.themes) > 0 AND cardinality(c.wijken) > 0
    ), contributions AS (
        SELECT f.month, scope, theme, f.sign * f.step AS n
        FROM flips f, unnest(ARRAY['region'] || f.municipalities || f.wijken) AS scope,
             unnest(array_prepend('', f.themes)) AS theme
        WHERE f.step <> 0
    )
    INSERT INTO agg_supply AS a (month, scope, theme, delta)
    SELECT month, scope, theme, sum(n) FROM contributions GROUP BY month, scope, theme HAVING sum(n) <> 0
    ORDER BY month, scope, theme  -- rows locked in key order: concurrent writers never deadlock
    ON CONFLICT (month, scope, theme) DO UPDATE SET delta = a.delta + EXCLUDED.delta
$q$, source)
] $f$;

CREATE OR REPLACE FUNCTION reporting_statements(kind text, source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind
        WHEN 'volunteer_facts' THEN reporting_volunteer_statements(source) || ARRAY[
            -- their supply, for the old key and the new one (an erasure)
            format('SELECT reporting_refresh_supply(ARRAY(SELECT DISTINCT person_key FROM (%s) c))', source)]
        WHEN 'organisation_facts' THEN reporting_organisation_statements(source)
        WHEN 'task_facts' THEN reporting_task_statements(source) || ARRAY[
            format('SELECT reporting_refresh_demand(ARRAY(SELECT DISTINCT task_id FROM (%s) c))', source)]
        WHEN 'match_facts' THEN reporting_match_statements(source) || ARRAY[
            format('SELECT reporting_refresh_demand(ARRAY(SELECT DISTINCT task_id FROM (%s) c))', source),
            format('SELECT reporting_refresh_supply(ARRAY(SELECT DISTINCT person_key FROM (%s) c'
                   ' WHERE person_key IS NOT NULL))', source)]
        WHEN 'proposal_facts' THEN ARRAY[
            format('SELECT reporting_refresh_demand(ARRAY(SELECT DISTINCT task_id FROM (%s) c))', source)]
        WHEN 'hours_facts' THEN reporting_hours_cell_statements(source) || reporting_person_statements(source)
        WHEN 'person_activity' THEN reporting_activity_statements(source)
        WHEN 'task_demand' THEN reporting_demand_statements(source)
        WHEN 'volunteer_supply' THEN reporting_supply_statements(source)
    END
$$;

CREATE OR REPLACE FUNCTION reporting_attach_triggers(schema text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    EXECUTE format('CREATE TRIGGER hours_pending_deleted AFTER DELETE ON %I.hours_pending REFERENCING OLD TABLE AS'
                   ' old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', schema, 'hours_pending');
    FOREACH t IN ARRAY ARRAY['volunteer_facts', 'organisation_facts', 'task_facts', 'match_facts', 'hours_facts',
                             'person_activity', 'proposal_facts', 'task_demand', 'volunteer_supply'] LOOP
        PERFORM reporting_attach_table_triggers(schema, t);
    END LOOP;
END
$$;

CREATE FUNCTION reporting_attach_table_triggers(schema text, t text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_inserted', schema, t, t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_updated', schema, t, t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I.%I REFERENCING OLD TABLE AS old_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION reporting_apply_changes(%L)', t || '_deleted', schema, t, t);
END
$$;

CREATE OR REPLACE FUNCTION reporting_refill_aggregates() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    statement text;
BEGIN
    TRUNCATE agg_flows, agg_stocks, agg_hours, agg_retention, agg_durations, person_activity, agg_active,
             mdt_crossings, hours_pending, task_demand, volunteer_supply, agg_supply, agg_fill_durations;
    FOREACH t IN ARRAY ARRAY['volunteer_facts', 'organisation_facts', 'task_facts', 'match_facts', 'hours_facts']
    LOOP
        FOREACH statement IN ARRAY reporting_statements(t, format('SELECT 1 AS sign, * FROM %I', t)) LOOP
            EXECUTE statement;  -- the derived rows' own triggers fill their aggregates
        END LOOP;
    END LOOP;
END
$$;

-- The new tables of this migration get their triggers here (0003 attached the others).
SELECT reporting_attach_table_triggers('public', t)
FROM unnest(ARRAY['proposal_facts', 'task_demand', 'volunteer_supply']) AS t;

-- Existing tasks and volunteers: their demand and supply (no skills, distances or centroids known yet).
SELECT reporting_refresh_demand(NULL);
SELECT reporting_refresh_supply(NULL);
