-- Centrales are the tenants of a region.
CREATE TABLE centrales (
    id                text PRIMARY KEY,
    name              text        NOT NULL,
    municipality_code text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- API credentials: one role, one tenant where the role has one; only a hash of the token is kept.
CREATE TABLE api_credentials (
    id          uuid PRIMARY KEY,
    token_hash  text        NOT NULL UNIQUE,
    role        text        NOT NULL,
    centrale_id text        REFERENCES centrales (id),
    label       text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
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
