-- The benchmarks' projection: one row per HoursLogged, the shape a reporting read model of hours has.
-- Both sides of the pipeline benchmark write exactly these rows (the project through its inbox).
CREATE TABLE bench_hours (
    hours_id     uuid PRIMARY KEY,
    volunteer_id uuid          NOT NULL,
    task_id      uuid          NOT NULL,
    centrale_id  text          NOT NULL,
    theme        text          NOT NULL,
    worked_on    date          NOT NULL,
    hours        numeric(4, 2) NOT NULL,
    logged_at    timestamptz   NOT NULL
);
