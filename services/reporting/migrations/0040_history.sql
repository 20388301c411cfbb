-- Hours an import brought in from before the platform (issue 18): no match, and perhaps no task.
ALTER TABLE hours_facts
    ALTER COLUMN match_id DROP NOT NULL,
    ALTER COLUMN task_id DROP NOT NULL;
