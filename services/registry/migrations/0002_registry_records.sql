CREATE TABLE organisations (
    id                uuid PRIMARY KEY,
    centrale_id       text        NOT NULL REFERENCES centrales (id),
    name              text        NOT NULL,
    formal            boolean     NOT NULL,
    kvk_number        text,
    postcode          text,
    postcode_area     text,
    contact_name      text,
    contact_email     text,
    contact_phone     text,
    liability_insured boolean     NOT NULL,
    free_vog_scheme   boolean     NOT NULL,
    for_profit        boolean     NOT NULL DEFAULT false,
    status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'admitted', 'refused')),
    status_reason     text,
    registered_at     timestamptz NOT NULL,
    vetted_at         timestamptz,
    CHECK (formal OR kvk_number IS NULL)
);
CREATE INDEX organisations_centrale ON organisations (centrale_id);

-- Erasure nulls the personal columns and keeps the pseudonymous row, so hours and matches stay facts.
ALTER TABLE volunteers
    ALTER COLUMN name DROP NOT NULL,
    ADD COLUMN one_off_dates   date[]  NOT NULL DEFAULT '{}',
    ADD COLUMN target_groups   text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN vog_verified_on date,
    ADD COLUMN vog_verified_by text,
    ADD COLUMN vog_valid_until date,
    ADD COLUMN updated_at      timestamptz,
    ADD COLUMN erased_at       timestamptz;

-- Consent history: every grant and withdrawal with the text version shown; the latest row per kind counts.
CREATE TABLE volunteer_consents (
    id           bigserial PRIMARY KEY,
    volunteer_id uuid        NOT NULL REFERENCES volunteers (id),
    kind         text        NOT NULL,
    granted      boolean     NOT NULL,
    text_version text        NOT NULL,
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteer_consents_latest ON volunteer_consents (volunteer_id, kind, id DESC);

CREATE TABLE tasks (
    id                 uuid PRIMARY KEY,
    centrale_id        text          NOT NULL REFERENCES centrales (id),
    organisation_id    uuid          NOT NULL REFERENCES organisations (id),
    title              text          NOT NULL,
    description        text          NOT NULL,
    theme              text          NOT NULL,
    skills             text[]        NOT NULL DEFAULT '{}',
    postcode           text,
    postcode_area      text,
    one_off_start      timestamptz,
    one_off_end        timestamptz,
    shifts             jsonb         NOT NULL DEFAULT '[]',
    capacity           integer       NOT NULL,
    hours_per_week     numeric(5, 2) NOT NULL,
    vog_required       boolean       NOT NULL,
    team_suitable      boolean       NOT NULL DEFAULT false,
    support_accessible boolean       NOT NULL DEFAULT false,
    closing_date       date,
    replaces_paid_work boolean       NOT NULL DEFAULT false,
    status             text          NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'filled', 'closed', 'expired')),
    created_at         timestamptz   NOT NULL,
    published_at       timestamptz,
    closed_at          timestamptz
);
CREATE INDEX tasks_organisation ON tasks (organisation_id);
CREATE INDEX tasks_open_by_closing_date ON tasks (closing_date) WHERE status = 'published';

CREATE TABLE business_partners (
    id            uuid PRIMARY KEY,
    name          text        NOT NULL,
    registered_at timestamptz NOT NULL
);

-- A partner's own reference makes a retried post recognisable: one day per (partner, reference).
CREATE TABLE volunteer_days (
    id                      uuid PRIMARY KEY,
    partner_id              uuid        NOT NULL REFERENCES business_partners (id),
    external_ref            text        NOT NULL,
    team_size               integer     NOT NULL,
    on_date                 date        NOT NULL,
    skills                  text[]      NOT NULL DEFAULT '{}',
    themes                  text[]      NOT NULL DEFAULT '{}',
    postcode_area           text,
    centrale_id             text REFERENCES centrales (id),
    status                  text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'matched')),
    matched_task_id         uuid,
    matched_organisation_id uuid,
    matched_centrale_id     text,
    matched_at              timestamptz,
    posted_at               timestamptz NOT NULL,
    UNIQUE (partner_id, external_ref)
);

CREATE TABLE volunteer_day_hours (
    id           uuid PRIMARY KEY,
    day_id       uuid          NOT NULL REFERENCES volunteer_days (id),
    participants integer       NOT NULL,
    hours_total  numeric(7, 2) NOT NULL,
    logged_at    timestamptz   NOT NULL
);

-- Matches as matching reported them (MatchMade): hours can only be logged for one of these.
CREATE TABLE matches (
    id                    uuid PRIMARY KEY,
    task_id               uuid        NOT NULL REFERENCES tasks (id),
    volunteer_id          uuid        NOT NULL,
    organisation_id       uuid        NOT NULL,
    centrale_id           text        NOT NULL,
    volunteer_centrale_id text        NOT NULL,
    made_at               timestamptz NOT NULL
);
CREATE INDEX matches_task ON matches (task_id);
CREATE INDEX matches_volunteer ON matches (volunteer_id);

CREATE TABLE hours (
    id              uuid PRIMARY KEY,
    match_id        uuid          NOT NULL REFERENCES matches (id),
    volunteer_id    uuid          NOT NULL,
    task_id         uuid          NOT NULL,
    organisation_id uuid          NOT NULL,
    centrale_id     text          NOT NULL,
    worked_on       date          NOT NULL,
    hours           numeric(4, 2) NOT NULL CHECK (hours > 0 AND hours <= 24),
    logged_by       text          NOT NULL CHECK (logged_by IN ('organisation', 'volunteer')),
    status          text          NOT NULL CHECK (status IN ('pending', 'confirmed')),
    logged_at       timestamptz   NOT NULL,
    confirmed_at    timestamptz
);
CREATE INDEX hours_volunteer_day ON hours (volunteer_id, worked_on);

-- Idempotency keys of creating requests: a retry with the same key gets the first response back.
CREATE TABLE idempotency_keys (
    caller       text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    status_code  integer     NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
