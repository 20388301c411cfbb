-- The public vacaturebank: published tasks searchable by anyone, by text, theme, place and distance.

-- PC4 centroids loaded by region ops (PUT /v1/postcode-areas), with the place and district names when known:
-- distances between areas, never addresses. Matching keeps its own copy, loaded the same way.
CREATE TABLE postcode_areas (
    pc4      text PRIMARY KEY CHECK (pc4 ~ '^[1-9][0-9]{3}$'),
    lat      double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon      double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    place    text,
    district text
);
-- A search first takes the areas within a bounding box of the origin, then measures each exactly.
CREATE INDEX postcode_areas_lat_lon ON postcode_areas (lat, lon);

-- The centrale's public contact: the vacaturebank shows it instead of any person's.
CREATE TABLE centrale_public_contacts (
    centrale_id text PRIMARY KEY REFERENCES centrales (id),
    email       text,
    phone       text,
    website     text,
    updated_at  timestamptz NOT NULL
);

-- What the organisation offers volunteers (training, expenses, a team), and when a task last changed
-- (feeds tell readers an entry changed).
ALTER TABLE tasks
    ADD COLUMN offer      text,
    ADD COLUMN updated_at timestamptz;

-- The text a search matches, in the Dutch configuration (stemming, Dutch stop words): the title weighs
-- most, then the description, then the offer, theme and skills. IMMUTABLE so a generated column can use
-- it (array_to_string is only STABLE in general, but immutable on text[]).
CREATE FUNCTION vacature_document(title text, description text, offer text, theme text, skills text[])
    RETURNS tsvector
    LANGUAGE sql
    IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('dutch', coalesce(title, '')), 'A')
        || setweight(to_tsvector('dutch', coalesce(description, '')), 'B')
        || setweight(to_tsvector('dutch', coalesce(offer, '')), 'C')
        || setweight(to_tsvector('dutch', coalesce(theme, '') || ' ' || array_to_string(skills, ' ')), 'C');

ALTER TABLE tasks
    ADD COLUMN search_document tsvector
        GENERATED ALWAYS AS (vacature_document(title, description, offer, theme, skills)) STORED;

-- Only published tasks are ever searched, so every vacaturebank index is partial on them.
CREATE INDEX tasks_published_search ON tasks USING gin (search_document) WHERE status = 'published';
CREATE INDEX tasks_published_theme ON tasks (theme) WHERE status = 'published';
CREATE INDEX tasks_published_area ON tasks (postcode_area) WHERE status = 'published';
CREATE INDEX tasks_published_newest ON tasks (published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX tasks_published_centrale ON tasks (centrale_id, published_at DESC) WHERE status = 'published';
