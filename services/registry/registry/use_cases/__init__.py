"""Registry use cases: one async function per command, each taking ``(command, uow)``.

Use cases never open or commit a transaction (whoever made the unit of work does) and hold no SQL (the
repositories of ``registry.unit_of_work`` do). Refusals are the errors of ``common.errors``.
"""
