-- Sessions are credentials too (issue 13): a credential is an API credential of a machine client ('api') or a
-- person's login session ('session'); both may expire, and a session belongs to a personal account.
-- Credentials issued before this stay API credentials without expiry, so their tokens keep working.
ALTER TABLE credentials
    ADD COLUMN kind       text NOT NULL DEFAULT 'api',
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN account_id uuid;
CREATE INDEX credentials_account ON credentials (account_id) WHERE account_id IS NOT NULL;
