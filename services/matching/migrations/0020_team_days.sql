-- Team days that close the loop (issue 18): open days are re-matched when a fitting task appears, and
-- staff see and broker them. A day remembers when it was posted (open days are tried oldest first) and how
-- it found its task; partners' names are kept so staff know whose team they are brokering.
ALTER TABLE volunteer_days
    ADD COLUMN posted_at   timestamptz,
    ADD COLUMN matched_via text CHECK (matched_via IN ('matching', 'staff'));
UPDATE volunteer_days SET matched_via = 'matching' WHERE status = 'matched';
CREATE INDEX volunteer_days_open ON volunteer_days (posted_at, day_id) WHERE status = 'open';

-- From BusinessPartnerRegistered: a company's name (not a person's).
CREATE TABLE partners (
    partner_id uuid PRIMARY KEY,
    name       text NOT NULL
);
