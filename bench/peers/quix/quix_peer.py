"""The peer: HoursLogged from Kafka, validated with the contract model, COPYed into ``bench_hours``, in Quix Streams.

Run by ``bench.peer`` in this folder's own environment (see pyproject.toml), with the repository root on
``PYTHONPATH`` for ``contracts``: ``python quix_peer.py '<spec as JSON>'``. The spec names the broker, the
consumer group (positioned at the data set by the harness), the topic, the database and the table.

Written the way Quix Streams is meant to be used for this job: a ``StreamingDataFrame`` that validates
each record (the payload by the contract model its ``ce_type`` header names, as the raw loop does), and a
``BatchingSink`` whose ``write`` COPYs a partition's batch in one transaction. Quix flushes the sink and
then commits the offsets at every checkpoint: ``commit_every`` records, the batch size the project and
the raw loop use. The process prints one line when it has the first record in hand (the harness's window
opens there) and runs until SIGTERM, on which Quix finishes its checkpoint.
"""

# The project's mypy runs without this environment's packages (quixstreams, psycopg): it leaves this file alone.
# mypy: ignore-errors

from __future__ import annotations

import json
import sys
import tempfile
import time
from typing import Any

import psycopg
from quixstreams import Application
from quixstreams.sinks import BatchingSink, SinkBatch

from contracts import event_type_of


class CopySink(BatchingSink):
    """A partition's batch by COPY into ``table`` in one transaction, at each checkpoint."""

    def __init__(self, dsn: str, table: str, columns: list[str]) -> None:
        super().__init__()
        self._dsn = dsn
        # Constants from the harness (the bench table and its columns), never input.
        self._copy = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._connection: psycopg.Connection[Any] | None = None

    def setup(self) -> None:
        """Connect once."""
        self._connection = psycopg.connect(self._dsn)

    def write(self, batch: SinkBatch) -> None:
        """COPY the batch's rows; Quix commits the offsets after every sink flushed."""
        assert self._connection is not None
        with self._connection.transaction(), self._connection.cursor() as cursor, cursor.copy(self._copy) as copy:
            for item in batch:
                copy.write_row(item.value)


def main(argv: list[str]) -> int:
    """Consume from the group's committed position until SIGTERM."""
    spec = json.loads(argv[0])
    columns: list[str] = spec["columns"]
    first = True

    def validate(value: bytes, _key: Any, _timestamp: int, headers: Any) -> tuple[Any, ...]:
        """The record's payload validated by its contract model, as the table's row."""
        nonlocal first
        if first:
            first = False
            # The harness's window opens here (CLOCK_MONOTONIC: the same clock in every process).
            line = {"event": "first", "monotonic": time.monotonic(), "cpu_seconds": time.process_time()}
            print(json.dumps(line), flush=True)
        event_type = next((raw.decode() for name, raw in headers or () if name == "ce_type"), "")
        model = event_type_of(event_type)
        if model is None:
            raise ValueError(f"not a contract event: {event_type!r}")
        event = model.model_validate_json(value)
        return tuple(getattr(event, column) for column in columns)

    with tempfile.TemporaryDirectory(prefix="quix-peer-state-") as state:
        app = Application(
            broker_address=spec["bootstrap"],
            consumer_group=spec["group"],
            auto_offset_reset="earliest",
            commit_every=spec["batch"],
            auto_create_topics=False,  # the catalogue's topics exist; brokers run without auto-creation
            use_changelog_topics=False,  # stateless
            state_dir=state,
            loglevel="WARNING",
        )
        topic = app.topic(spec["topic"], value_deserializer="bytes", key_deserializer="bytes")
        frame = app.dataframe(topic).apply(validate, metadata=True)
        frame.sink(CopySink(spec["dsn"], spec["table"], columns))
        print(json.dumps({"event": "ready"}), flush=True)
        app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
