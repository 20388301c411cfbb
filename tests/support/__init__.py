"""Helpers shared by the test suites: session infrastructure, Kafka utilities, schema checks."""
