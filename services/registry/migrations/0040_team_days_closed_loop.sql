-- Team days that close the loop (issue 18): hours a partner's HR system reports wait for the organisation's
-- confirmation; a day's figure is its latest confirmed entry (an earlier one is superseded, as reporting
-- already counted it); how a day found its task (matching or staff); partners' webhooks and their delivery log.

ALTER TABLE volunteer_days
    ADD COLUMN matched_via text CHECK (matched_via IN ('matching', 'staff'));
UPDATE volunteer_days SET matched_via = 'matching' WHERE status = 'matched';

ALTER TABLE volunteer_day_hours
    ADD COLUMN reported_by text NOT NULL DEFAULT 'organisation' CHECK (reported_by IN ('organisation', 'partner')),
    ADD COLUMN status      text NOT NULL DEFAULT 'confirmed'
        CHECK (status IN ('pending', 'confirmed', 'superseded', 'rejected')),
    ADD COLUMN decided_at  timestamptz;
-- Entries so far were the organisation's own, so confirmed when logged; of several, the latest counts.
UPDATE volunteer_day_hours SET decided_at = logged_at;
UPDATE volunteer_day_hours h SET status = 'superseded'
WHERE EXISTS (
    SELECT 1 FROM volunteer_day_hours later
    WHERE later.day_id = h.day_id AND (later.logged_at, later.id) > (h.logged_at, h.id)
);
CREATE UNIQUE INDEX volunteer_day_hours_one_confirmed ON volunteer_day_hours (day_id) WHERE status = 'confirmed';
CREATE INDEX volunteer_day_hours_day ON volunteer_day_hours (day_id);

-- Where a partner wants to hear about its days. The secret signs every delivery (HMAC-SHA256); it is shown
-- once, when made, and kept here because signing needs it (like any webhook sender's).
CREATE TABLE partner_webhooks (
    partner_id uuid PRIMARY KEY REFERENCES business_partners (id),
    url        text        NOT NULL,
    secret     text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- One row per message to a partner, written in the transaction of the change it reports: the body is fixed
-- then (the same bytes on every attempt), the signature is made per attempt (it signs the attempt's time).
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    partner_id      uuid        NOT NULL REFERENCES business_partners (id),
    day_id          uuid REFERENCES volunteer_days (id),
    event_type      text        NOT NULL,
    body            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz,
    finished_at     timestamptz,
    -- attempts when it was last sent again by hand: the retry budget counts from there
    redriven_attempts integer   NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_partner ON webhook_deliveries (partner_id, created_at DESC);

-- Every attempt: when, where to, what came back (the status code, never the response body), how long it took.
CREATE TABLE webhook_attempts (
    delivery_id uuid        NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    at          timestamptz NOT NULL,
    url         text        NOT NULL,
    status_code integer,
    error       text,
    duration_ms integer     NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
