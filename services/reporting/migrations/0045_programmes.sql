-- The centrale's programmes (issue 18): Beursvloer deals and their follow-up, and trainings' attendance. Fact rows
-- keyed by the deal and the booking; no person's id (a training's reach counts participants, not who they are).
-- Written by reporting.programmes; figures per municipality and period are computed when read.

CREATE TABLE beursvloer_deal_facts (
    deal_id         uuid PRIMARY KEY,
    centrale_id     text NOT NULL,
    event_id        uuid,
    partner_id      uuid,
    organisation_id uuid,
    category        text,
    hours           numeric(9, 2),
    made_at         timestamptz,
    outcome         text,
    hours_given     numeric(9, 2),
    followed_up_at  timestamptz
);
CREATE INDEX beursvloer_deal_facts_made ON beursvloer_deal_facts (made_at);

CREATE TABLE training_facts (
    booking_id      uuid PRIMARY KEY,
    training_id     uuid        NOT NULL,
    centrale_id     text        NOT NULL,
    audience        text        NOT NULL,
    organisation_id uuid,
    participants    integer     NOT NULL,
    attended        boolean     NOT NULL,
    attended_on     date        NOT NULL,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX training_facts_day ON training_facts (attended_on);
