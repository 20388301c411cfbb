-- A table for the unit-of-work tests: one row per thing a route made.
CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE job_effects (job text NOT NULL, due_at timestamptz NOT NULL, made_at timestamptz NOT NULL DEFAULT now());
