-- The kennisfunctie (issue 18): trainings and advice sessions a centrale offers to volunteers and organisations,
-- bookings (with a waiting list when full), reminders, and attendance recorded by staff.

CREATE TABLE trainings (
    id            uuid PRIMARY KEY,
    centrale_id   text        NOT NULL REFERENCES centrales (id),
    title         text        NOT NULL,
    description   text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('training', 'advice')),
    audience      text        NOT NULL CHECK (audience IN ('volunteers', 'organisations', 'both')),
    theme         text,
    sessions      jsonb       NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    place         text        NOT NULL,
    postcode_area text,
    capacity      integer     NOT NULL CHECK (capacity >= 1),
    status        text        NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    created_at    timestamptz NOT NULL,
    created_by    text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    cancelled_at  timestamptz
);
CREATE INDEX trainings_centrale ON trainings (centrale_id, starts_at);

-- One booking: a volunteer (one seat), or seats for an organisation's people. ``waiting`` bookings move up, in the
-- order they were made, when seats come free.
CREATE TABLE training_bookings (
    id                     uuid PRIMARY KEY,
    training_id            uuid        NOT NULL REFERENCES trainings (id),
    centrale_id            text        NOT NULL,
    volunteer_id           uuid REFERENCES volunteers (id),
    organisation_id        uuid REFERENCES organisations (id),
    seats                  integer     NOT NULL CHECK (seats >= 1),
    status                 text        NOT NULL CHECK (status IN ('booked', 'waiting', 'cancelled')),
    booked_at              timestamptz NOT NULL,
    booked_by              text        NOT NULL,
    placed_at              timestamptz,
    cancelled_at           timestamptz,
    cancelled_by           text,
    reminded_at            timestamptz,
    attended               boolean,
    participants_attended  integer CHECK (participants_attended >= 0),
    attendance_recorded_at timestamptz,
    attendance_recorded_by text,
    CHECK ((volunteer_id IS NULL) <> (organisation_id IS NULL))
);
CREATE INDEX training_bookings_training ON training_bookings (training_id, booked_at);
CREATE INDEX training_bookings_volunteer ON training_bookings (volunteer_id) WHERE volunteer_id IS NOT NULL;
CREATE INDEX training_bookings_organisation ON training_bookings (organisation_id) WHERE organisation_id IS NOT NULL;
-- One live booking per person or organisation and training.
CREATE UNIQUE INDEX training_bookings_one_per_volunteer ON training_bookings (training_id, volunteer_id)
    WHERE status <> 'cancelled' AND volunteer_id IS NOT NULL;
CREATE UNIQUE INDEX training_bookings_one_per_organisation ON training_bookings (training_id, organisation_id)
    WHERE status <> 'cancelled' AND organisation_id IS NOT NULL;
