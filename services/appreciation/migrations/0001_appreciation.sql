-- Appreciation's own tables. Volunteers appear only by their pseudonymous id: no name, contact data or
-- birth date is ever stored here (a certificate's name comes with the request and is not kept).

-- Centrales seen so far; the first sight copies the default rules into the centrale's own rules.
CREATE TABLE centrales (
    id           text PRIMARY KEY,
    display_name text,
    seen_at      timestamptz NOT NULL DEFAULT now()
);

-- Rules as data, per centrale. An award's id derives from (centrale, rule id, recipient, occurrence), so
-- a rule id is never reused for something else: staff switch a rule off instead of deleting it.
CREATE TABLE rules (
    centrale_id text        NOT NULL REFERENCES centrales (id),
    rule_id     text        NOT NULL,
    kind        text        NOT NULL,
    title       text        NOT NULL,
    params      jsonb       NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (centrale_id, rule_id)
);

-- Projections of the registry's and matching's events (rebuilt by a replay; see SPEC.replay_tables).
CREATE TABLE volunteers (
    id                    uuid PRIMARY KEY,
    centrale_id           text NOT NULL,
    -- Whether centrale_id came from a volunteer event or match (true) or was guessed from hours (false).
    centrale_confirmed    boolean NOT NULL DEFAULT false,
    age_band              text,
    registered_on         date,
    registration_event_id uuid
);
CREATE INDEX volunteers_centrale ON volunteers (centrale_id);

CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    centrale_id text NOT NULL,
    name        text NOT NULL
);

CREATE TABLE tasks (
    id              uuid PRIMARY KEY,
    organisation_id uuid   NOT NULL,
    centrale_id     text   NOT NULL,
    theme           text   NOT NULL,
    skills          text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE matches (
    id                    uuid PRIMARY KEY,
    volunteer_id          uuid        NOT NULL,
    task_id               uuid        NOT NULL,
    organisation_id       uuid        NOT NULL,
    centrale_id           text        NOT NULL,
    volunteer_centrale_id text        NOT NULL,
    made_at               timestamptz NOT NULL
);
CREATE INDEX matches_volunteer ON matches (volunteer_id);
CREATE INDEX matches_organisation_volunteer ON matches (organisation_id, volunteer_id);

-- One row per hours entry (keyed by the registry's id): a redelivered or re-published entry counts once.
CREATE TABLE hours (
    id              uuid PRIMARY KEY,
    volunteer_id    uuid          NOT NULL,
    match_id        uuid          NOT NULL,
    task_id         uuid          NOT NULL,
    organisation_id uuid          NOT NULL,
    centrale_id     text          NOT NULL,
    theme           text          NOT NULL,
    worked_on       date          NOT NULL,
    hours           numeric(4, 2) NOT NULL,
    event_id        uuid          NOT NULL
);
CREATE INDEX hours_volunteer ON hours (volunteer_id, worked_on);

-- Erased volunteers: the pseudonymous id only, so a replay of older events does not bring them back.
CREATE TABLE erased_volunteers (
    volunteer_id uuid PRIMARY KEY,
    erased_at    timestamptz NOT NULL
);

-- Awards. award_id = uuid5(centrale, rule, recipient, occurrence): the same award can only be inserted
-- once, whatever replays or redeliveries happen. recipient_id is nulled when a volunteer is erased; the
-- row stays as an anonymous count.
CREATE TABLE awards (
    award_id           uuid PRIMARY KEY,
    centrale_id        text        NOT NULL,
    rule_id            text        NOT NULL,
    rule_kind          text        NOT NULL,
    title              text        NOT NULL,
    recipient_id       uuid,
    recipient_kind     text        NOT NULL CHECK (recipient_kind IN ('volunteer', 'business_partner')),
    occurrence         text        NOT NULL,
    trigger_event_id   uuid        NOT NULL,
    trigger_event_type text        NOT NULL,
    awarded_at         timestamptz NOT NULL
);
CREATE INDEX awards_centrale_time ON awards (centrale_id, awarded_at);
CREATE INDEX awards_recipient ON awards (recipient_id);

-- Certificates issued: what a third party can verify (id, hash of the PDF, totals), never the name.
CREATE TABLE certificates (
    id            uuid PRIMARY KEY,
    volunteer_id  uuid,
    centrale_id   text          NOT NULL,
    sha256        text          NOT NULL,
    total_hours   numeric(9, 2) NOT NULL,
    organisations integer       NOT NULL,
    first_day     date,
    last_day      date,
    issued_at     timestamptz   NOT NULL
);
CREATE INDEX certificates_volunteer ON certificates (volunteer_id);

-- Volunteer allowances organisations paid (financial records: kept, the volunteer id nulled on erasure).
CREATE TABLE allowances (
    id              uuid PRIMARY KEY,
    organisation_id uuid          NOT NULL,
    centrale_id     text          NOT NULL,
    volunteer_id    uuid,
    reference       text          NOT NULL,
    paid_on         date          NOT NULL,
    amount          numeric(9, 2) NOT NULL CHECK (amount > 0),
    hours           numeric(6, 2) CHECK (hours > 0),
    recorded_by     text          NOT NULL,
    recorded_at     timestamptz   NOT NULL DEFAULT now(),
    -- An organisation's own payment reference makes a retried request recognisable.
    UNIQUE (organisation_id, reference)
);
CREATE INDEX allowances_volunteer_day ON allowances (volunteer_id, paid_on);
