-- The Maatschappelijke Beursvloer (issue 18): companies offer goods, knowledge or hands, organisations ask for
-- them, matching proposes pairs, a deal records who gives what to whom by when, and a follow-up asks both sides
-- whether it happened. Evenings (event mode) and the continuous floor between them. The words (descriptions,
-- places) stay here; events carry ids, categories, tags, amounts and dates.

-- A Beursvloer evening of a centrale: offers, requests and deals may belong to one; without, to the continuous floor.
CREATE TABLE beurs_events (
    id          uuid PRIMARY KEY,
    centrale_id text        NOT NULL REFERENCES centrales (id),
    title       text        NOT NULL,
    place       text        NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    status      text        NOT NULL CHECK (status IN ('planned', 'closed')),
    created_at  timestamptz NOT NULL,
    closed_at   timestamptz,
    CHECK (ends_at > starts_at)
);
CREATE INDEX beurs_events_centrale ON beurs_events (centrale_id, starts_at);

-- What a company offers.
CREATE TABLE beurs_offers (
    id              uuid PRIMARY KEY,
    centrale_id     text        NOT NULL REFERENCES centrales (id),
    partner_id      uuid        NOT NULL REFERENCES business_partners (id),
    event_id        uuid REFERENCES beurs_events (id),
    category        text        NOT NULL CHECK (category IN ('goods', 'knowledge', 'hands')),
    description     text        NOT NULL,
    tags            text[]      NOT NULL DEFAULT '{}',
    quantity        integer CHECK (quantity >= 1),
    hours           numeric(7, 2) CHECK (hours > 0),
    postcode_area   text,
    available_until date,
    status          text        NOT NULL CHECK (status IN ('open', 'closed')),
    close_reason    text CHECK (close_reason IN ('deal', 'withdrawn', 'expired')),
    posted_at       timestamptz NOT NULL,
    posted_by       text        NOT NULL,
    closed_at       timestamptz
);
CREATE INDEX beurs_offers_floor ON beurs_offers (centrale_id, event_id) WHERE status = 'open';
CREATE INDEX beurs_offers_partner ON beurs_offers (partner_id);

-- What an organisation asks for.
CREATE TABLE beurs_requests (
    id              uuid PRIMARY KEY,
    centrale_id     text        NOT NULL REFERENCES centrales (id),
    organisation_id uuid        NOT NULL REFERENCES organisations (id),
    event_id        uuid REFERENCES beurs_events (id),
    category        text        NOT NULL CHECK (category IN ('goods', 'knowledge', 'hands')),
    description     text        NOT NULL,
    tags            text[]      NOT NULL DEFAULT '{}',
    quantity        integer CHECK (quantity >= 1),
    hours           numeric(7, 2) CHECK (hours > 0),
    postcode_area   text,
    needed_by       date,
    status          text        NOT NULL CHECK (status IN ('open', 'closed')),
    close_reason    text CHECK (close_reason IN ('deal', 'withdrawn', 'expired')),
    posted_at       timestamptz NOT NULL,
    posted_by       text        NOT NULL,
    closed_at       timestamptz
);
CREATE INDEX beurs_requests_floor ON beurs_requests (centrale_id, event_id) WHERE status = 'open';
CREATE INDEX beurs_requests_organisation ON beurs_requests (organisation_id);

-- Pairs matching proposed (BeursvloerPairProposed): an offer and a request that fit, with why.
CREATE TABLE beurs_pairs (
    id          uuid PRIMARY KEY,
    offer_id    uuid        NOT NULL REFERENCES beurs_offers (id),
    request_id  uuid        NOT NULL REFERENCES beurs_requests (id),
    centrale_id text        NOT NULL,
    event_id    uuid,
    score       real        NOT NULL,
    reasons     text[]      NOT NULL DEFAULT '{}',
    proposed_at timestamptz NOT NULL
);
CREATE INDEX beurs_pairs_offer ON beurs_pairs (offer_id);
CREATE INDEX beurs_pairs_request ON beurs_pairs (request_id);

-- A deal: who gives what to whom, by when; made when staff record it or both parties confirm it; followed up
-- after its date (each side answers done, partly or not; settled when both did, or by staff).
CREATE TABLE beurs_deals (
    id                       uuid PRIMARY KEY,
    centrale_id              text        NOT NULL REFERENCES centrales (id),
    event_id                 uuid REFERENCES beurs_events (id),
    offer_id                 uuid REFERENCES beurs_offers (id),
    request_id               uuid REFERENCES beurs_requests (id),
    partner_id               uuid        NOT NULL REFERENCES business_partners (id),
    organisation_id          uuid        NOT NULL REFERENCES organisations (id),
    category                 text        NOT NULL CHECK (category IN ('goods', 'knowledge', 'hands')),
    description              text        NOT NULL,
    quantity                 integer CHECK (quantity >= 1),
    hours                    numeric(7, 2) CHECK (hours > 0),
    due_on                   date        NOT NULL,
    closes_offer             boolean     NOT NULL,
    closes_request           boolean     NOT NULL,
    status                   text        NOT NULL
        CHECK (status IN ('pending', 'made', 'cancelled', 'done', 'partly', 'not')),
    created_at               timestamptz NOT NULL,
    created_by               text        NOT NULL,
    partner_confirmed_at     timestamptz,
    organisation_confirmed_at timestamptz,
    made_at                  timestamptz,
    confirmed_by             text CHECK (confirmed_by IN ('staff', 'parties')),
    cancelled_at             timestamptz,
    follow_up_asked_at       timestamptz,
    partner_answer           text CHECK (partner_answer IN ('done', 'partly', 'not')),
    partner_hours            numeric(7, 2),
    partner_answered_at      timestamptz,
    organisation_answer      text CHECK (organisation_answer IN ('done', 'partly', 'not')),
    organisation_hours       numeric(7, 2),
    organisation_answered_at timestamptz,
    hours_given              numeric(7, 2),
    settled_by               text CHECK (settled_by IN ('parties', 'staff')),
    settled_at               timestamptz
);
CREATE INDEX beurs_deals_centrale ON beurs_deals (centrale_id, created_at);
CREATE INDEX beurs_deals_follow_up ON beurs_deals (due_on) WHERE status = 'made';

-- Whom the registry asks, for a company, whether a deal happened (the company's contact person, not a volunteer).
CREATE TABLE beurs_partner_contacts (
    partner_id uuid PRIMARY KEY REFERENCES business_partners (id),
    name       text        NOT NULL,
    email      text,
    phone      text,
    updated_at timestamptz NOT NULL
);

-- Notices about deals and trainings, and to a company's contact: ids only, like every notice.
ALTER TABLE notices ADD COLUMN deal_id uuid, ADD COLUMN training_id uuid;
ALTER TABLE notices DROP CONSTRAINT notices_recipient_kind_check,
    ADD CONSTRAINT notices_recipient_kind_check CHECK (recipient_kind IN ('volunteer', 'organisation', 'partner'));
