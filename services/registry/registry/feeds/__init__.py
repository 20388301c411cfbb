"""The registry's records in public formats: schema.org JSON-LD, Atom 1.0, JSON Feed 1.1 and iCalendar.

Pure renderers (no I/O): the API hands them what the use cases return and serves the result.
"""
