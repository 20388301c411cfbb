-- Reporting's read models: fact tables projected from the topics (rebuilt by a replay) and the
-- configuration ops and municipalities load (kept across a replay). Aggregation, month booking,
-- district and municipality resolution happen when a report is read (reporting.queries), so a
-- mapping loaded later applies to history without a replay, and the order in which the consumer
-- sees the topics never changes a figure.

-- The walking skeleton's counter; volunteer_facts answers the same question.
DROP TABLE volunteer_counts;

------------------------------------------------------------------------------------------------
-- Projections (reporting.rebuild.PROJECTION_TABLES lists exactly these)
------------------------------------------------------------------------------------------------

-- One row per volunteer: the pseudonymous id (a random surrogate after erasure) and only the coarse
-- attributes a KPI needs. Event times are kept as given; recorded_at is when the registry recorded it.
CREATE TABLE volunteer_facts (
    person_key       uuid PRIMARY KEY,
    centrale_id      text        NOT NULL,
    postcode_area    text,
    age_band         text,
    target_groups    text[]      NOT NULL DEFAULT '{}',
    interests        text[]      NOT NULL DEFAULT '{}',
    matching_consent boolean     NOT NULL DEFAULT true,
    registered_at    timestamptz,
    recorded_at      timestamptz,
    profile_at       timestamptz NOT NULL,
    erased_at        timestamptz
);
CREATE INDEX volunteer_facts_centrale ON volunteer_facts (centrale_id);

-- SHA-256 of erased volunteer ids: an event still carrying such an id (a replay, hours logged after the
-- erasure, matching's MatchEnded) never re-attaches a fact to it. No fact row points here.
CREATE TABLE erased_volunteers (
    id_hash   bytea PRIMARY KEY,
    erased_at timestamptz NOT NULL
);

CREATE TABLE organisation_facts (
    organisation_id uuid PRIMARY KEY,
    centrale_id     text NOT NULL,
    postcode_area   text,
    formal          boolean,
    registered_at   timestamptz,
    recorded_at     timestamptz,
    admitted_at     timestamptz,
    refused_at      timestamptz
);

CREATE TABLE task_facts (
    task_id            uuid PRIMARY KEY,
    organisation_id    uuid        NOT NULL,
    centrale_id        text        NOT NULL,
    theme              text        NOT NULL,
    postcode_area      text,
    capacity           integer,
    posted_at          timestamptz,
    recorded_at        timestamptz,
    attributes_at      timestamptz NOT NULL,
    closed_at          timestamptz,
    close_reason       text,
    closed_recorded_at timestamptz
);

CREATE TABLE match_facts (
    match_id              uuid PRIMARY KEY,
    task_id               uuid NOT NULL,
    person_key            uuid,
    centrale_id           text NOT NULL,
    volunteer_centrale_id text NOT NULL,
    made_at               timestamptz,
    recorded_at           timestamptz,
    ended_at              timestamptz,
    end_reason            text
);
CREATE INDEX match_facts_person ON match_facts (person_key);
CREATE INDEX match_facts_task ON match_facts (task_id);

CREATE TABLE hours_facts (
    hours_id    uuid PRIMARY KEY,
    match_id    uuid          NOT NULL,
    task_id     uuid          NOT NULL,
    person_key  uuid,
    centrale_id text          NOT NULL,
    theme       text          NOT NULL,
    worked_on   date          NOT NULL,
    hours       numeric(6, 2) NOT NULL,
    recorded_at timestamptz   NOT NULL
);
CREATE INDEX hours_facts_worked_on ON hours_facts (worked_on);
CREATE INDEX hours_facts_person ON hours_facts (person_key);

CREATE TABLE partner_facts (
    partner_id   uuid PRIMARY KEY,
    partner_name text NOT NULL
);

-- A business partner's team day: what HR posted, what it was matched to, what the team gave.
CREATE TABLE volunteer_day_facts (
    day_id             uuid PRIMARY KEY,
    partner_id         uuid NOT NULL,
    team_size          integer,
    on_date            date,
    postcode_area      text,
    posted_centrale_id text,
    task_id            uuid,
    task_centrale_id   text,
    participants       integer,
    hours_total        numeric(9, 2),
    hours_centrale_id  text,
    hours_logged_at    timestamptz,
    hours_recorded_at  timestamptz
);

------------------------------------------------------------------------------------------------
-- Configuration (not touched by a replay)
------------------------------------------------------------------------------------------------

-- The registry knows each centrale's municipality but publishes no centrale event: ops load it here.
CREATE TABLE centrale_municipalities (
    centrale_id       text PRIMARY KEY,
    municipality_code text        NOT NULL CHECK (municipality_code ~ '^GM[0-9]{4}$'),
    municipality_name text        NOT NULL,
    centrale_name     text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- PC4 area → CBS wijk (the wijk holding most of the area's addresses); the wijk code names its municipality.
CREATE TABLE districts (
    postcode_area text PRIMARY KEY CHECK (postcode_area ~ '^[1-9][0-9]{3}$'),
    district_code text        NOT NULL CHECK (district_code ~ '^WK[0-9]{6}$'),
    district_name text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- NLdoet days (national volunteer days, every March); ops add each year's dates.
CREATE TABLE nldoet_days (
    day date PRIMARY KEY
);
INSERT INTO nldoet_days (day) VALUES ('2026-03-13'), ('2026-03-14');

-- A municipality's agreed figures for a period, versioned: a change is a new version, never an edit.
CREATE TABLE agreements (
    municipality_code text        NOT NULL,
    period            text        NOT NULL,
    version           integer     NOT NULL,
    definition        jsonb       NOT NULL,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_code, period, version)
);

-- A closed period: its report as it was at closing, served from here ever after. Events recorded
-- after closed_at that belong to months up to last_month are booked into the first open month.
CREATE TABLE period_closures (
    municipality_code text        NOT NULL,
    period            text        NOT NULL,
    first_month       date        NOT NULL,
    last_month        date        NOT NULL,
    closed_at         timestamptz NOT NULL,
    closed_by         text        NOT NULL,
    agreement_version integer,
    report            jsonb       NOT NULL,
    PRIMARY KEY (municipality_code, period)
);
CREATE INDEX period_closures_horizon ON period_closures (municipality_code, closed_at);

-- One row per online rebuild (reporting.rebuild): when, how many events, where it switched over.
CREATE TABLE projection_rebuilds (
    id             bigserial PRIMARY KEY,
    started_at     timestamptz NOT NULL,
    switched_at    timestamptz NOT NULL,
    events_applied bigint      NOT NULL,
    end_offsets    jsonb       NOT NULL
);
