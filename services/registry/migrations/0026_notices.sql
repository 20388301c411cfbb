-- Notifications about the match conversation and follow-up (issue 14), e-mailed by the registry because it holds
-- the contact data. Like thank-you messages, a row keeps no address, name or text: the sender renders the mail
-- from the recipient's current record, after checking consent again.

-- One row per notice to one recipient; the id derives from what caused it, so a redelivered event or a job
-- run twice queues nothing twice.
CREATE TABLE notices (
    id              uuid PRIMARY KEY,
    recipient_kind  text        NOT NULL CHECK (recipient_kind IN ('volunteer', 'organisation')),
    recipient_id    uuid        NOT NULL,
    centrale_id     text        NOT NULL,
    kind            text        NOT NULL,
    match_id        uuid,
    task_id         uuid,
    check_in_id     uuid,
    delivery        text        NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'not_sent', 'failed', 'call', 'called')),
    reason          text,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    due_at          timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    sent_at         timestamptz,
    mail_id         uuid,
    called_by       text
);
CREATE INDEX notices_due ON notices (due_at) WHERE status = 'pending';
CREATE INDEX notices_recipient ON notices (recipient_kind, recipient_id) WHERE status = 'pending';
CREATE INDEX notices_centrale ON notices (centrale_id, recorded_at);

-- A person's choice per kind of notice: at once, in a daily digest, or not at all (default: at once).
CREATE TABLE notice_preferences (
    recipient_kind text        NOT NULL,
    recipient_id   uuid        NOT NULL,
    kind           text        NOT NULL,
    delivery       text        NOT NULL CHECK (delivery IN ('immediate', 'digest', 'off')),
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (recipient_kind, recipient_id, kind)
);

-- A centrale's own words per kind of notice (Dutch defaults in registry/notice_texts.py).
CREATE TABLE notice_templates (
    centrale_id text        NOT NULL REFERENCES centrales (id),
    kind        text        NOT NULL,
    subject     text        NOT NULL,
    body        text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (centrale_id, kind)
);
