-- Retention (issue 16): a volunteer inactive for REGISTRY_VOLUNTEER_INACTIVE_AFTER_DAYS is asked to re-confirm and
-- erased when they do not within REGISTRY_RECONFIRM_WINDOW_DAYS. When they were asked, until when they may answer,
-- and the hash of their link's token (never the token).
ALTER TABLE volunteers
    ADD COLUMN reconfirm_asked_at   timestamptz,
    ADD COLUMN reconfirm_deadline   timestamptz,
    ADD COLUMN reconfirm_token_hash text;

CREATE UNIQUE INDEX volunteers_reconfirm_token ON volunteers (reconfirm_token_hash)
    WHERE reconfirm_token_hash IS NOT NULL;
CREATE INDEX volunteers_reconfirm_deadline ON volunteers (reconfirm_deadline)
    WHERE reconfirm_deadline IS NOT NULL AND erased_at IS NULL;
