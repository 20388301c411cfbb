-- Private calendar feeds (iCalendar) of a volunteer's or an organisation's confirmed commitments.

-- The feed's URL carries a 256-bit random token; only its SHA-256 is kept. Revoking sets revoked_at (the
-- URL then answers 404); asking for a new URL revokes the old one, so an owner has at most one live feed.
CREATE TABLE calendar_feeds (
    id          uuid PRIMARY KEY,
    token_hash  text        NOT NULL UNIQUE,
    owner_kind  text        NOT NULL CHECK (owner_kind IN ('volunteer', 'organisation')),
    owner_id    uuid        NOT NULL,
    centrale_id text        NOT NULL REFERENCES centrales (id),
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX calendar_feeds_one_live_per_owner ON calendar_feeds (owner_kind, owner_id) WHERE revoked_at IS NULL;

-- When matching reported the match ended (MatchEnded): it leaves the calendars. IF NOT EXISTS: the match
-- conversation (issue 14) records the end of a match too.
ALTER TABLE matches ADD COLUMN IF NOT EXISTS ended_at timestamptz;
CREATE INDEX matches_organisation ON matches (organisation_id);
