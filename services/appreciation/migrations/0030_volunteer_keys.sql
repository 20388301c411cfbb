-- Volunteers' data keys learned from registry.volunteer-keys.v1 (common.keyring), wrapped with the region's
-- key-encryption key as published; a tombstone deletes the row (crypto-shredding, issue 16). Appreciation
-- needs them for the age band (MDT), which travels sealed with the rest of the profile.
CREATE TABLE volunteer_keys (
    volunteer_id uuid PRIMARY KEY,
    wrapped_key  text NOT NULL
);
