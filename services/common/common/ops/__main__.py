"""Command line for region ops: ``python -m common.ops lag|dlq|replay ...`` (``--help`` on each)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from common.ops.deadletters import read_dead_letter, read_dead_letters, redrive_one, redrive_pending
from common.ops.groups import GroupActiveError, consumer_lag
from common.ops.replay import load_spec, replay_projection
from common.settings import KafkaSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m common.ops", description=__doc__)
    parser.add_argument(
        "--bootstrap",
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS); TLS and SASL come from the KAFKA_* "
        "variables a service reads",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    commands = parser.add_subparsers(dest="command", required=True)

    lag = commands.add_parser("lag", help="consumer lag per service (consumer group), topic and partition")
    lag.add_argument("groups", nargs="*", help="groups to show (default: every service's group)")
    lag.add_argument("--partitions", action="store_true", help="one line per partition instead of per topic")

    dlq = commands.add_parser("dlq", help="dead letters").add_subparsers(dest="dlq_command", required=True)
    listing = dlq.add_parser("list", help="list dead letters (pending = not re-driven by `redrive --all`)")
    listing.add_argument("--topic", action="append", help="dead-letter topic(s) (default: all)")
    listing.add_argument("--consumer", help="only those this consumer group gave up on")
    listing.add_argument("--pending", action="store_true", help="only entries not yet re-driven")
    show = dlq.add_parser("show", help="one dead letter with every header and its payload")
    show.add_argument("topic", help="dead-letter topic, e.g. registry.volunteers.v1.dlq")
    show.add_argument("offset", type=int)
    show.add_argument("--partition", type=int, default=0)
    again = dlq.add_parser("redrive", help="publish dead letters back to their original topic after a fix")
    again.add_argument("topic", nargs="?", help="dead-letter topic of the one entry to re-drive")
    again.add_argument("offset", nargs="?", type=int, help="offset of the one entry to re-drive")
    again.add_argument("--partition", type=int, default=0)
    again.add_argument("--all", action="store_true", help="re-drive every pending entry (of --topic, or all)")
    again.add_argument("--topic", dest="topics", action="append", help="with --all: only these dead-letter topics")

    replay = commands.add_parser(
        "replay", help="rebuild a projection from the start of its topics (stop the service's instances first)"
    )
    replay.add_argument("service", help="service name, e.g. reporting")
    replay.add_argument("--spec", help="module:attribute of its ServiceSpec (default: <service>.main:SPEC)")
    replay.add_argument("--database-url", help="the service's database (default: $<SERVICE>_DATABASE_URL)")
    return parser


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = {c: max([len(c), *(len(str(r.get(c, ""))) for r in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    sys.stdout.write((json.dumps(data, indent=2, default=str) if args.json else text) + "\n")


async def _lag(args: argparse.Namespace) -> int:
    rows = await consumer_lag(args.kafka, args.groups or None)
    if args.partitions:
        data = [vars(row) for row in rows]
        _emit(args, data, _table(data, ["group", "topic", "partition", "committed", "end", "lag"]))
        return 0
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault((row.group, row.topic), {"group": row.group, "topic": row.topic, "lag": 0})
        total["lag"] += row.lag
        total["partitions_behind"] = total.get("partitions_behind", 0) + (row.lag > 0)
    data = list(totals.values())
    _emit(args, data, _table(data, ["group", "topic", "lag", "partitions_behind"]) if data else "no consumer groups")
    return 0


async def _dlq(args: argparse.Namespace) -> int:
    if args.dlq_command == "list":
        letters = await read_dead_letters(args.kafka, args.topic)
        shown = [
            letter.summary()
            for letter in letters
            if (not args.consumer or letter.consumer == args.consumer) and (letter.pending or not args.pending)
        ]
        columns = ["dlq_topic", "offset", "pending", "consumer", "error_class", "original", "event_type", "event_id"]
        _emit(args, shown, _table(shown, columns) if shown else "no dead letters match")
        return 0
    if args.dlq_command == "show":
        letter = await read_dead_letter(args.kafka, args.topic, args.offset, args.partition)
        sys.stdout.write(json.dumps(letter.detail(), indent=2, ensure_ascii=False) + "\n")
        return 0
    if args.all:
        if args.topic is not None:
            raise SystemExit("redrive --all takes no positional topic; use --topic")
        redriven = await redrive_pending(args.kafka, args.topics)
        data = [letter.summary() for letter in redriven]
        _emit(args, data, f"re-drove {len(redriven)} dead letter(s)")
        return 0
    if args.topic is None or args.offset is None:
        raise SystemExit("redrive needs TOPIC OFFSET, or --all")
    letter = await redrive_one(args.kafka, args.topic, args.offset, args.partition)
    _emit(args, letter.summary(), f"re-drove {letter.dlq_topic}@{letter.offset} to {letter.original_topic}")
    return 0


async def _replay(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec or f"{args.service}.main:SPEC")
    url = args.database_url or os.environ.get(f"{args.service.upper()}_DATABASE_URL")
    if not url:
        raise SystemExit(f"give --database-url or set {args.service.upper()}_DATABASE_URL")
    try:
        result = await replay_projection(args.kafka, spec, url)
    except GroupActiveError as error:
        sys.stderr.write(f"refused: {error}\n")
        return 2
    data = {
        "service": result.service,
        "truncated": list(result.truncated),
        "inbox_rows_deleted": result.inbox_rows_deleted,
        "offsets": {f"{tp.topic}[{tp.partition}]": offset for tp, offset in sorted(result.offsets.items())},
    }
    text = (
        f"{result.service}: emptied {', '.join(result.truncated)} and {result.inbox_rows_deleted} inbox rows; "
        f"offsets of {len(result.offsets)} partitions reset to the beginning. Start the service to rebuild."
    )
    _emit(args, data, text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ops command; the exit status is 0 on success."""
    args = _parser().parse_args(argv)
    # The region's Kafka settings, as every service reads them; --bootstrap only changes the servers.
    kafka = KafkaSettings()
    args.kafka = kafka.model_copy(update={"kafka_bootstrap_servers": args.bootstrap}) if args.bootstrap else kafka
    handlers = {"lag": _lag, "dlq": _dlq, "replay": _replay}
    return asyncio.run(handlers[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
