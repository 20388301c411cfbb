-- Hours can be rejected (by the organisation) and corrected (by whoever logged them): issue 19.
-- A rejected entry stays as a row (it was logged; the record says so) but counts nowhere.
ALTER TABLE hours DROP CONSTRAINT hours_status_check;
ALTER TABLE hours
    ADD CONSTRAINT hours_status_check CHECK (status IN ('pending', 'confirmed', 'rejected')),
    ADD COLUMN rejected_at  timestamptz,
    ADD COLUMN corrected_at timestamptz;

-- Every rejection and correction with its reason: a category (which travels in the events) and an optional
-- note in the organisation's or volunteer's words (which stays here, and goes when the volunteer is erased).
CREATE TABLE hours_changes (
    id             uuid PRIMARY KEY,
    hours_id       uuid          NOT NULL REFERENCES hours (id),
    volunteer_id   uuid          NOT NULL,
    change         text          NOT NULL CHECK (change IN ('rejected', 'corrected')),
    previous_hours numeric(4, 2) NOT NULL,
    hours          numeric(4, 2) CHECK (hours > 0 AND hours <= 24),
    reason         text          NOT NULL,
    note           text,
    changed_by     text          NOT NULL CHECK (changed_by IN ('organisation', 'volunteer')),
    actor          text          NOT NULL,
    changed_at     timestamptz   NOT NULL,
    CHECK ((change = 'corrected') = (hours IS NOT NULL))
);
CREATE INDEX hours_changes_hours ON hours_changes (hours_id, changed_at);
CREATE INDEX hours_changes_volunteer ON hours_changes (volunteer_id);
-- An organisation's list of its entries (pending ones to confirm or reject).
CREATE INDEX hours_organisation ON hours (organisation_id, status, worked_on);
