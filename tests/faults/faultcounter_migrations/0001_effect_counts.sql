-- The probe's only read model: how many registrations it applied per centrale (an increment per event).
CREATE TABLE effect_counts (
    centrale_id text PRIMARY KEY,
    applied     bigint NOT NULL
);
