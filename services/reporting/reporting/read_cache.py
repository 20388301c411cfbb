"""The figures' cubes, reused while nothing they were built from has changed (issue 20).

A figures read builds the period's cube for the whole region: every municipality's, centrale's and partner's
report is a slice of it, so suppression holds across reports. A report page asks for the figures, a chart and
the CSV, and a region's municipalities read the same quarter; building the cube is most of a read (14
statements and the suppression: 200-250 ms on the bench's region of 20,000 volunteers). So the cube of a
period is kept while both hold:

- ``read_version`` is the one it was built at: every table a read names bumps it in the transaction that
  changes it (migration 0082; the rebuild's switch-over too), and a read takes it in the snapshot it builds
  from, so a kept cube and its version are one commit's;
- the read's moment is before ``valid_until``: the next month, or the next match reaching 3, 6 or 12 months
  (``cells.figures_change_by_time_at``), the only ways the figures change with no event.

A cube served from here is therefore the one a build in the reader's snapshot would give. Readers must not
change it (``api.figures`` copies what it adds). Reads of the same period and version that miss together take
turns (``turn``): the first builds, the others find its cube kept, so a region's readers arriving at once cost one
build.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from reporting.cube import Cube
from reporting.periods import Period

__all__ = ["CubeCache"]


@dataclass(frozen=True)
class _Kept:
    version: int
    valid_until: datetime
    cube: Cube


class CubeCache:
    """The last few periods' cubes of one database, each with the read version and moment it holds for."""

    def __init__(self, size: int = 8) -> None:
        self._kept: OrderedDict[Period, _Kept] = OrderedDict()
        self._size = size
        self._turns: dict[tuple[Period, int], asyncio.Lock] = {}

    def turn(self, period: Period, version: int) -> asyncio.Lock:
        """Held while the period's cube at ``version`` is built: a read that waited for it finds the cube kept."""
        lock = self._turns.get((period, version))
        if lock is None:
            # Earlier versions' turns are no longer asked for (reads take the latest); a read holding one keeps
            # its own reference.
            self._turns = {
                key: held for key, held in self._turns.items() if key[0] != period or key[1] > version or held.locked()
            }
            lock = self._turns[(period, version)] = asyncio.Lock()
        return lock

    def get(self, period: Period, version: int, now: datetime) -> Cube | None:
        """The period's cube when it was built at ``version`` and still holds at ``now``; else None."""
        kept = self._kept.get(period)
        if kept is None or kept.version != version or now >= kept.valid_until:
            return None
        self._kept.move_to_end(period)
        return kept.cube

    def put(self, period: Period, version: int, valid_until: datetime, cube: Cube) -> None:
        """Keep the period's cube built at ``version`` (unless a read of a later snapshot kept a newer one)."""
        kept = self._kept.get(period)
        if kept is not None and kept.version > version:
            return
        self._kept[period] = _Kept(version, valid_until, cube)
        self._kept.move_to_end(period)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
