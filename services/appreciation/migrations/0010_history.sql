-- History brought in by imports (issue 18): hours worked before the platform have no match and may have no
-- task, and what they earn is marked historic (recorded, published, but no thank-you is sent for it).
ALTER TABLE hours
    ALTER COLUMN match_id DROP NOT NULL,
    ALTER COLUMN task_id DROP NOT NULL;
ALTER TABLE awards ADD COLUMN historic boolean NOT NULL DEFAULT false;
