-- The kennisfunctie (issue 18): trainings the registry's centrales give, and which volunteers attended, so the
-- record and the certificate list the trainings followed. Projections of registry.trainings.v1 (a replay
-- rebuilds them); a volunteer's attendance goes with their erasure.

CREATE TABLE trainings (
    id          uuid PRIMARY KEY,
    centrale_id text    NOT NULL,
    title       text    NOT NULL,
    kind        text    NOT NULL,
    first_day   date    NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false
);

-- One row per booking of a volunteer; the latest record of a booking counts.
CREATE TABLE training_attendance (
    booking_id   uuid PRIMARY KEY,
    training_id  uuid        NOT NULL,
    volunteer_id uuid        NOT NULL,
    centrale_id  text        NOT NULL,
    attended     boolean     NOT NULL,
    attended_on  date        NOT NULL,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX training_attendance_volunteer ON training_attendance (volunteer_id);
