-- Aggregate only: how many volunteers each centrale registered. No ids, no personal data.
CREATE TABLE volunteer_counts (
    centrale_id text PRIMARY KEY,
    registered  bigint      NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
