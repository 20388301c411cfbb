-- The Beursvloer (issue 18): the open offers and requests as matching knows them (from registry.beursvloer.v1:
-- ids, kind, tags, amounts, area, date; never the words), and the pairs it proposed, so none is proposed twice.

CREATE TABLE beurs_postings (
    posting_id    uuid PRIMARY KEY,
    side          text        NOT NULL CHECK (side IN ('offer', 'request')),
    owner_id      uuid        NOT NULL,
    centrale_id   text        NOT NULL,
    event_id      uuid,
    category      text        NOT NULL,
    tags          text[]      NOT NULL DEFAULT '{}',
    quantity      integer,
    hours         numeric(7, 2),
    postcode_area text,
    by_when       date,
    posted_at     timestamptz NOT NULL,
    closed_at     timestamptz
);
CREATE INDEX beurs_postings_open ON beurs_postings (centrale_id, side, category) WHERE closed_at IS NULL;

CREATE TABLE beurs_pairs (
    pair_id     uuid PRIMARY KEY,
    offer_id    uuid        NOT NULL,
    request_id  uuid        NOT NULL,
    score       real        NOT NULL,
    proposed_at timestamptz NOT NULL,
    UNIQUE (offer_id, request_id)
);
