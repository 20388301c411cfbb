-- Centrales are the tenants of a region.
CREATE TABLE centrales (
    id                text PRIMARY KEY,
    name              text        NOT NULL,
    municipality_code text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Volunteers: personal data lives here and nowhere else (events carry only the pseudonymous id).
CREATE TABLE volunteers (
    id                        uuid PRIMARY KEY,
    centrale_id               text        NOT NULL REFERENCES centrales (id),
    name                      text        NOT NULL,
    email                     text,
    phone                     text,
    postcode                  text,
    birth_date                date,
    postcode_area             text,
    age_band                  text,
    skills                    text[]      NOT NULL DEFAULT '{}',
    interests                 text[]      NOT NULL DEFAULT '{}',
    languages                 text[]      NOT NULL DEFAULT '{}',
    availability              jsonb       NOT NULL DEFAULT '[]',
    max_distance_km           integer,
    commitment                text        NOT NULL DEFAULT 'either',
    needs_support             boolean     NOT NULL DEFAULT false,
    regional_matching_consent boolean     NOT NULL DEFAULT false,
    registered_by             text        NOT NULL,
    registered_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteers_centrale ON volunteers (centrale_id);
