-- Dated shifts (issue 18, point 4): a task's shifts generated from a recurrence rule (RFC 5545 RRULE, wall-clock
-- times in Europe/Amsterdam), optional parts of a task people take separately, and sign-ups per shift with a
-- waiting list. Shifts are generated over a rolling horizon (``registry.shift_rules.HORIZON``) that the daily
-- ``extend-shifts`` job moves on, so an unbounded rule never needs an unbounded number of rows.

CREATE TABLE task_parts (
    id          uuid PRIMARY KEY,
    task_id     uuid        NOT NULL REFERENCES tasks (id),
    centrale_id text        NOT NULL,
    title       text        NOT NULL,
    capacity    integer     NOT NULL CHECK (capacity >= 1),
    created_at  timestamptz NOT NULL
);
CREATE INDEX task_parts_task ON task_parts (task_id);

CREATE TABLE shift_patterns (
    id              uuid PRIMARY KEY,
    task_id         uuid        NOT NULL REFERENCES tasks (id),
    centrale_id     text        NOT NULL,
    part_id         uuid REFERENCES task_parts (id),
    rule            text        NOT NULL,
    starts_on       date        NOT NULL,
    start_time      time        NOT NULL,
    end_time        time        NOT NULL,
    capacity        integer     NOT NULL CHECK (capacity >= 1),
    generated_until timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by      text        NOT NULL
);
CREATE INDEX shift_patterns_task ON shift_patterns (task_id);

CREATE TABLE shifts (
    id          uuid PRIMARY KEY,
    pattern_id  uuid        NOT NULL REFERENCES shift_patterns (id),
    task_id     uuid        NOT NULL REFERENCES tasks (id),
    centrale_id text        NOT NULL,
    part_id     uuid REFERENCES task_parts (id),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    capacity    integer     NOT NULL CHECK (capacity >= 1),
    UNIQUE (pattern_id, starts_at)
);
CREATE INDEX shifts_task ON shifts (task_id, starts_at);

-- ``waiting`` sign-ups move up, in the order they were made, when a place comes free.
CREATE TABLE shift_signups (
    id           uuid PRIMARY KEY,
    shift_id     uuid        NOT NULL REFERENCES shifts (id),
    task_id      uuid        NOT NULL REFERENCES tasks (id),
    centrale_id  text        NOT NULL,
    volunteer_id uuid        NOT NULL REFERENCES volunteers (id),
    match_id     uuid        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('signed_up', 'waiting', 'cancelled')),
    signed_up_at timestamptz NOT NULL,
    signed_up_by text        NOT NULL,
    placed_at    timestamptz,
    cancelled_at timestamptz,
    cancelled_by text
);
CREATE INDEX shift_signups_shift ON shift_signups (shift_id, signed_up_at);
CREATE INDEX shift_signups_volunteer ON shift_signups (volunteer_id);
CREATE UNIQUE INDEX shift_signups_one_per_volunteer ON shift_signups (shift_id, volunteer_id)
    WHERE status <> 'cancelled';
