-- Each volunteer's data key (crypto-shredding, issue 16): the special categories of their profile events are
-- sealed with it; erasure deletes the row and publishes a tombstone on registry.volunteer-keys.v1, after which
-- no copy of those fields (topics, dead letters, outboxes, backups of the others) can be opened.
CREATE TABLE volunteer_data_keys (
    volunteer_id uuid PRIMARY KEY,
    data_key     bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
