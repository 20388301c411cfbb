-- PC4 area centroids, loaded by ops (POST /v1/postcode-areas): distance without any address.
CREATE TABLE postcode_areas (
    pc4 text PRIMARY KEY,
    lat double precision NOT NULL,
    lon double precision NOT NULL
);

-- Read model of volunteers, built only from registry events. changed_at lets every instance's
-- in-memory index pick up changes, whichever instance consumed them.
CREATE TABLE volunteers (
    volunteer_id      uuid PRIMARY KEY,
    centrale_id       text        NOT NULL,
    postcode_area     text,
    skills            text[]      NOT NULL DEFAULT '{}',
    interests         text[]      NOT NULL DEFAULT '{}',
    languages         text[]      NOT NULL DEFAULT '{}',
    availability      jsonb       NOT NULL DEFAULT '[]',
    one_off_dates     date[]      NOT NULL DEFAULT '{}',
    max_distance_km   integer,
    commitment        text        NOT NULL DEFAULT 'either',
    needs_support     boolean     NOT NULL DEFAULT false,
    matching_consent  boolean     NOT NULL DEFAULT false,
    regional_consent  boolean     NOT NULL DEFAULT false,
    vog_valid_until   date,
    open_commitments  integer     NOT NULL DEFAULT 0,
    changed_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX volunteers_changed ON volunteers (changed_at);

-- Erased volunteers: only the id and when, so indexes drop them; no profile is kept.
CREATE TABLE erased_volunteers (
    volunteer_id uuid PRIMARY KEY,
    erased_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE tasks (
    task_id             uuid PRIMARY KEY,
    organisation_id     uuid        NOT NULL,
    centrale_id         text        NOT NULL,
    theme               text        NOT NULL,
    skills              text[]      NOT NULL DEFAULT '{}',
    postcode_area       text,
    shifts              jsonb       NOT NULL DEFAULT '[]',
    one_off_start       timestamptz,
    one_off_end         timestamptz,
    capacity            integer     NOT NULL,
    vog_required        boolean     NOT NULL,
    team_suitable       boolean     NOT NULL DEFAULT false,
    support_accessible  boolean     NOT NULL DEFAULT false,
    closing_date        date,
    status              text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'closed')),
    team_reserved       integer     NOT NULL DEFAULT 0,
    posted_at           timestamptz NOT NULL,
    overflow_offered_at timestamptz
);
CREATE INDEX tasks_open ON tasks (centrale_id) WHERE status = 'open';

-- A proposal becomes a match when accepted: one row, one id, from proposed to made to ended.
CREATE TABLE proposals (
    match_id              uuid PRIMARY KEY,
    task_id               uuid        NOT NULL REFERENCES tasks (task_id),
    volunteer_id          uuid        NOT NULL,
    organisation_id       uuid        NOT NULL,
    centrale_id           text        NOT NULL,
    volunteer_centrale_id text        NOT NULL,
    score                 real        NOT NULL,
    reasons               jsonb       NOT NULL,
    via                   text        NOT NULL CHECK (via IN ('matching', 'interest', 'overflow')),
    needs_consulent       boolean     NOT NULL,
    status                text        NOT NULL
        CHECK (status IN ('proposed', 'approved', 'made', 'declined', 'expired', 'ended')),
    proposed_at           timestamptz NOT NULL,
    approved_at           timestamptz,
    decided_at            timestamptz,
    ended_at              timestamptz
);
-- One live proposal or match per volunteer and task.
CREATE UNIQUE INDEX proposals_one_live_per_pair ON proposals (task_id, volunteer_id)
    WHERE status IN ('proposed', 'approved', 'made');
CREATE INDEX proposals_volunteer ON proposals (volunteer_id);

CREATE TABLE volunteer_days (
    day_id        uuid PRIMARY KEY,
    partner_id    uuid        NOT NULL,
    team_size     integer     NOT NULL,
    on_date       date        NOT NULL,
    skills        text[]      NOT NULL DEFAULT '{}',
    themes        text[]      NOT NULL DEFAULT '{}',
    postcode_area text,
    centrale_id   text,
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'matched')),
    task_id       uuid,
    matched_at    timestamptz
);
