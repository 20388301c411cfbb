-- The match conversation (issue 14): the registry learns proposals and their steps from matching's events,
-- so it can show each side whom to contact, and keeps the volunteer's message with a response.

-- Proposals as matching reports them on matching.matches.v1 (ids and facts only, like the events).
CREATE TABLE proposals (
    match_id              uuid PRIMARY KEY,
    task_id               uuid        NOT NULL,
    volunteer_id          uuid        NOT NULL,
    organisation_id       uuid        NOT NULL,
    centrale_id           text        NOT NULL,
    volunteer_centrale_id text        NOT NULL,
    via                   text        NOT NULL,
    needs_consulent       boolean     NOT NULL,
    status                text        NOT NULL
        CHECK (status IN ('proposed', 'approved', 'accepted', 'agreed', 'made', 'declined', 'expired', 'ended')),
    proposed_at           timestamptz,
    approved_at           timestamptz,
    accepted_at           timestamptz,
    agreed_at             timestamptz,
    made_at               timestamptz,
    closed_at             timestamptz,
    declined_by           text,
    ended_at              timestamptz,
    end_reason            text,
    ended_by              text
);
CREATE INDEX proposals_volunteer ON proposals (volunteer_id);
CREATE INDEX proposals_organisation ON proposals (organisation_id);
CREATE INDEX proposals_made ON proposals (made_at) WHERE status = 'made';
CREATE INDEX proposals_pending ON proposals (proposed_at) WHERE status IN ('proposed', 'approved', 'accepted', 'agreed');

-- A volunteer's message with their response, keyed by the match id: free text, kept here only (never on a
-- topic), shown to the task's organisation once the proposal is theirs; deleted when the volunteer is erased.
CREATE TABLE response_messages (
    match_id     uuid PRIMARY KEY,
    volunteer_id uuid        NOT NULL,
    body         text        NOT NULL,
    written_by   text        NOT NULL CHECK (written_by IN ('volunteer', 'consulent')),
    written_at   timestamptz NOT NULL
);
CREATE INDEX response_messages_volunteer ON response_messages (volunteer_id);

-- How to reach a centrale: what an organisation sees instead of a volunteer's contact when the volunteer did
-- not consent to contact by organisations (the centrale is then the go-between).
CREATE TABLE centrale_contacts (
    centrale_id text PRIMARY KEY REFERENCES centrales (id),
    name        text        NOT NULL,
    email       text,
    phone       text,
    updated_at  timestamptz NOT NULL
);
