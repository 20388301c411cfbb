-- Bringing a centrale's records in from another system (issue 18): which record each row of an import
-- became, so a re-run recognises its rows, and the hours volunteers worked before the platform kept them.

-- One row per volunteer, organisation or task an import brought in. The other system's id is the key as a
-- SHA-256 digest (kept after the volunteer is erased, so a re-run does not bring them back) and in clear
-- until then (exports name it); row_digest is what the row said, so an unchanged row changes nothing.
CREATE TABLE import_links (
    centrale_id  text        NOT NULL REFERENCES centrales (id),
    source       text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('volunteers', 'organisations', 'tasks')),
    external_key bytea       NOT NULL,
    external_id  text,
    record_id    uuid        NOT NULL,
    row_digest   bytea       NOT NULL,
    imported_at  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (centrale_id, source, kind, external_key)
);
CREATE INDEX import_links_record ON import_links (record_id);

-- Hours worked before the platform: against an organisation (and a task when the other system knew it),
-- without a match. Keyed by the other system's id of the entry, so a re-run finds each again. "C" collation:
-- the key is compared a million times in a large import, byte-wise is all it needs. No foreign keys and no
-- index besides the key: an import writes up to millions of rows, and the volunteer's own export (rare)
-- may scan the centrale's history.
CREATE TABLE historic_hours (
    centrale_id     text COLLATE "C" NOT NULL,
    source          text COLLATE "C" NOT NULL,
    external_id     text COLLATE "C" NOT NULL,
    id              uuid          NOT NULL,
    volunteer_id    uuid          NOT NULL,
    organisation_id uuid          NOT NULL,
    task_id         uuid,
    theme           text          NOT NULL,
    worked_on       date          NOT NULL,
    hours           numeric(4, 2) NOT NULL CHECK (hours > 0 AND hours <= 24),
    imported_at     timestamptz   NOT NULL,
    updated_at      timestamptz   NOT NULL,
    PRIMARY KEY (centrale_id, source, external_id)
);
