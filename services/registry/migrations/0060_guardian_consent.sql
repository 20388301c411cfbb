-- Minors (issue 16): a volunteer under 16 at registration needs a parent's or guardian's consent before they can be
-- matched. Who gave it (name and relation) is kept with the consent, here only: it never travels on a topic.
ALTER TABLE volunteer_consents
    ADD COLUMN given_by_name     text,
    ADD COLUMN given_by_relation text;

-- Whether the volunteer was under 16 at registration (then matching waits for the guardian's consent), and the
-- guardian asked by e-mail: their name, relation and address, and the hash of the link's token (never the token).
ALTER TABLE volunteers
    ADD COLUMN needs_guardian_consent    boolean NOT NULL DEFAULT false,
    ADD COLUMN guardian_name             text,
    ADD COLUMN guardian_relation         text,
    ADD COLUMN guardian_email            text,
    ADD COLUMN guardian_token_hash       text,
    ADD COLUMN guardian_token_expires_at timestamptz;

CREATE UNIQUE INDEX volunteers_guardian_token ON volunteers (guardian_token_hash)
    WHERE guardian_token_hash IS NOT NULL;
