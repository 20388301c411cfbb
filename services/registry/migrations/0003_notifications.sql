-- Thank-you messages for appreciation awards. The registry sends them because it holds the contact data.

-- Per-centrale templates, one per award kind or 'default'; placeholders $naam, $titel, $centrale. A centrale
-- without its own template uses the Dutch defaults in registry/notifications.py.
CREATE TABLE appreciation_templates (
    centrale_id text        NOT NULL REFERENCES centrales (id),
    kind        text        NOT NULL,
    subject     text        NOT NULL,
    body        text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (centrale_id, kind)
);

-- One row per award (its id is the key, so a redelivered or re-published award is handled once): whether a
-- message is due, was sent, or why not. No address, name or text is kept: the sender renders the message
-- from the volunteer's current record, so erasing the volunteer leaves nothing personal here.
CREATE TABLE appreciation_messages (
    award_id        uuid PRIMARY KEY,
    recipient_id    uuid        NOT NULL,
    recipient_kind  text        NOT NULL,
    centrale_id     text        NOT NULL,
    rule_kind       text        NOT NULL,
    title           text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'not_sent', 'failed')),
    reason          text,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX appreciation_messages_due ON appreciation_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX appreciation_messages_centrale ON appreciation_messages (centrale_id, recorded_at);
