-- API credentials. The registry issues them (this table is its record); every other service fills
-- its own copy from registry.credentials.v1, so all authenticate the same way without calling the registry.
CREATE TABLE credentials (
    id          uuid PRIMARY KEY,
    token_hash  text        NOT NULL UNIQUE,
    role        text        NOT NULL,
    centrale_id text,
    subject_id  uuid,
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX credentials_subject ON credentials (subject_id);
