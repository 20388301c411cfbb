"""Appreciation's use cases: one async function per command or query, taking ``(command, uow)``.

They never open or commit transactions (whoever made the unit of work does) and hold no SQL (the
repositories do). ``awards`` (facts from events and what they award; ``hours`` its set-based twin for a
run of hours entries), ``rules``, ``records`` (read side), ``certificates``, ``allowances``, ``trainings`` (the
trainings volunteers followed).
"""
