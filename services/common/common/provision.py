"""Create every topic of the catalogue on a running cluster (``python -m common.provision``).

Used by deploy/compose.yaml before the services start; brokers run with topic auto-creation off.
"""

from __future__ import annotations

import asyncio
import os
import sys

from common.localinfra.kafka import create_topics
from contracts import TOPICS


def main() -> None:
    """Create the topics named by the catalogue on ``KAFKA_BOOTSTRAP_SERVERS`` (existing ones are kept)."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    replication = int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1"))
    asyncio.run(create_topics(bootstrap, TOPICS, replication_factor=replication))
    sys.stdout.write(f"provisioned {len(TOPICS)} topics on {bootstrap}\n")


if __name__ == "__main__":
    main()
