-- The funnel from a one-off day to structural volunteering (issue 18, point 7): whether a task is one-off (it has
-- a one-off start) or structural, as TaskPosted/TaskUpdated say. NULL: not known (tasks projected before this
-- migration until a rebuild replays them); such tasks count neither as one-off nor as structural.
-- reporting.programmes.funnel reads it with match_facts and hours_facts (NLdoet hours) when figures are asked.
ALTER TABLE task_facts ADD COLUMN one_off boolean;
