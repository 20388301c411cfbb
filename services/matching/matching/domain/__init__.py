"""Matching's pure domain: schedules, distance, gates and scores, the candidate index. No I/O."""
