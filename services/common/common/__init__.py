"""Runtime plumbing shared by every service: settings, logging, database, outbox, inbox, consumers.

Written once here so the four services never copy it; ``contracts`` stays pydantic-only.
"""
