-- Scheduled and on-demand jobs (common/jobs): one row per run. A scheduled run's due moment is its key,
-- so two instances never run the same due moment twice; an on-demand run is due when it was asked for.
CREATE TABLE job_runs (
    id          uuid        PRIMARY KEY,
    job         text        NOT NULL,
    due_at      timestamptz NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('scheduled', 'on_demand')),
    status      text        NOT NULL CHECK (status IN ('running', 'done', 'failed', 'abandoned')),
    attempts    integer     NOT NULL DEFAULT 1,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    counts      jsonb       NOT NULL DEFAULT '{}',
    error       text,
    requested_by text,
    UNIQUE (job, due_at)
);
CREATE INDEX job_runs_latest ON job_runs (job, due_at DESC);
