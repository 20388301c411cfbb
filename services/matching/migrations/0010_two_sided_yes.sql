-- The match conversation (issue 14): a match takes the organisation's yes AND the volunteer's, in either order;
-- consulenten respond on a volunteer's behalf or put them forward, may override a soft gate with a reason;
-- an ended match records who ended it and why.

ALTER TABLE proposals DROP CONSTRAINT proposals_status_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_status_check
    CHECK (status IN ('proposed', 'approved', 'accepted', 'agreed', 'made', 'declined', 'expired', 'ended'));
ALTER TABLE proposals DROP CONSTRAINT proposals_via_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_via_check
    CHECK (via IN ('matching', 'interest', 'overflow', 'on_behalf', 'put_forward'));
ALTER TABLE proposals
    ADD COLUMN accepted_at timestamptz,
    ADD COLUMN agreed_at   timestamptz,
    ADD COLUMN end_reason  text,
    ADD COLUMN ended_by    text;

-- One live proposal or match per volunteer and task: the waiting-for-a-yes states are live too.
DROP INDEX proposals_one_live_per_pair;
CREATE UNIQUE INDEX proposals_one_live_per_pair ON proposals (task_id, volunteer_id)
    WHERE status IN ('proposed', 'approved', 'accepted', 'agreed', 'made');

-- A soft gate a consulent set aside for a proposal: who, when and why. The reason is free text about a
-- person, so it never leaves this table (never on a topic) and goes when the volunteer is erased.
CREATE TABLE gate_overrides (
    match_id      uuid        NOT NULL REFERENCES proposals (match_id),
    gate          text        NOT NULL,
    reason        text        NOT NULL,
    overridden_by text        NOT NULL,
    overridden_at timestamptz NOT NULL,
    PRIMARY KEY (match_id, gate)
);

-- The volunteer's agreement as a consulent recorded it: to being put forward, to a response made for
-- them, or to the match itself (their yes, said to the consulent). Who recorded it, when, and how it was given.
CREATE TABLE volunteer_agreements (
    match_id    uuid        NOT NULL REFERENCES proposals (match_id),
    subject     text        NOT NULL CHECK (subject IN ('put_forward', 'on_behalf', 'match')),
    how         text        NOT NULL,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (match_id, subject)
);
