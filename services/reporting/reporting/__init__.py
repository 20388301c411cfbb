"""Reporting: privacy-safe aggregates for municipalities and partners, projected from events."""
