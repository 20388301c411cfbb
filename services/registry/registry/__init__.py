"""Registry: the region's system of record for centrales, organisations, volunteers, tasks and hours."""
