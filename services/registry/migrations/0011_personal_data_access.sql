-- The audit trail of personal data access (issue 13, AVG art. 15 and accountability): who (an account, or
-- the credential when no person is known) read, exported, changed or erased which volunteer's record, when
-- and why. Ids, categories and times only; purged after REGISTRY_AUDIT_RETENTION_DAYS.
CREATE TABLE personal_data_access (
    id                 uuid PRIMARY KEY,
    at                 timestamptz NOT NULL,
    volunteer_id       uuid        NOT NULL,
    centrale_id        text        NOT NULL,
    actor              text        NOT NULL,
    account_id         uuid,
    acting_centrale_id text,
    action             text        NOT NULL,
    what               text        NOT NULL,
    purpose            text        NOT NULL
);
CREATE INDEX personal_data_access_volunteer ON personal_data_access (volunteer_id, at);
CREATE INDEX personal_data_access_centrale ON personal_data_access (centrale_id, at);
CREATE INDEX personal_data_access_at ON personal_data_access (at);
