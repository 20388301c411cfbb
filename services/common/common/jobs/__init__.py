"""Scheduled and on-demand jobs run inside the services: one instance per job at a time, catching up.

``Job`` declares a job (its name, schedule and function); ``Scheduler`` is the background worker the
service runner starts when a ``ServiceSpec`` lists jobs; ``jobs_router`` lets region ops list jobs, run
one now and follow a run's progress. Rules, in one place:

- a scheduled job is due at the moments its schedule names (``Every`` an interval, aligned to the epoch
  in UTC; ``DailyAt`` a wall-clock time in Europe/Amsterdam); each due moment runs at most once across
  all instances: the run's row is keyed by (job, due moment) and the run holds a keyed advisory lock;
- after downtime the most recent missed moment runs once (jobs handle "everything due up to now", so one
  run catches up; the moments skipped are counted in the log);
- a failed run is retried with backoff (doubling from the poll interval, at most an hour); a run whose
  instance died (its lock is free, its row still says running) is marked abandoned and run again;
- every run logs ``job_run_finished`` or ``job_run_failed`` with its counts and duration, and keeps them
  in ``job_runs`` (``GET /v1/ops/jobs``) for ``<SERVICE>_SCHEDULER_RUN_RETENTION_DAYS`` (each job's latest
  run stays: a job that runs every minute keeps a month of rows, not a year's).
"""

from common.jobs.model import DailyAt, Every, Job, JobContext, JobRun, Schedule, latest_due
from common.jobs.runner import JobAlreadyRunning, Scheduler

__all__ = [
    "DailyAt",
    "Every",
    "Job",
    "JobAlreadyRunning",
    "JobContext",
    "JobRun",
    "Schedule",
    "Scheduler",
    "latest_due",
]
