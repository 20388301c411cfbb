-- Follow-up of matches (issue 14): check-ins after 2 weeks, 3 and 6 months (per centrale), answered by both sides.

-- A centrale's follow-up: when check-ins are asked (ISO 8601 periods after the match: P2W, P3M, ...) and after how
-- many days an unanswered one lands on the early-warning list. Without a row the defaults hold.
CREATE TABLE follow_up_settings (
    centrale_id           text PRIMARY KEY REFERENCES centrales (id),
    check_ins             text[]      NOT NULL,
    unanswered_after_days integer     NOT NULL,
    updated_at            timestamptz NOT NULL
);

-- One check-in per match, moment and side. ``note`` is what the person wrote: free text, kept here only, and
-- blanked when the volunteer is erased (an organisation's note is about the volunteer too).
CREATE TABLE check_ins (
    id                    uuid PRIMARY KEY,
    match_id              uuid        NOT NULL,
    volunteer_id          uuid        NOT NULL,
    organisation_id       uuid        NOT NULL,
    centrale_id           text        NOT NULL,
    volunteer_centrale_id text        NOT NULL,
    step                  text        NOT NULL,
    side                  text        NOT NULL CHECK (side IN ('volunteer', 'organisation')),
    status                text        NOT NULL CHECK (status IN ('asked', 'answered', 'skipped')),
    due_at                timestamptz NOT NULL,
    asked_at              timestamptz,
    answer                text CHECK (answer IN ('good', 'doubts', 'stopping')),
    note                  text,
    answered_at           timestamptz,
    answered_by           text,
    handled_at            timestamptz,
    handled_by            text,
    UNIQUE (match_id, step, side)
);
CREATE INDEX check_ins_volunteer ON check_ins (volunteer_id);
CREATE INDEX check_ins_open ON check_ins (volunteer_centrale_id) WHERE handled_at IS NULL;
