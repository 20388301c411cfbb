"""Create every topic of the catalogue on a running cluster (``python -m common.provision``).

Used by deploy/compose.yaml before the services start; brokers run with topic auto-creation off.
"""

from __future__ import annotations

import asyncio
import os
import sys

from common.localinfra.kafka import create_topics
from common.settings import KafkaSettings
from contracts import TOPICS


def main() -> None:
    """Create the catalogue's topics on the region's cluster (``KAFKA_*`` settings); existing ones are kept."""
    kafka = KafkaSettings()
    replication = int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1"))
    asyncio.run(create_topics(kafka, TOPICS, replication_factor=replication))
    sys.stdout.write(f"provisioned {len(TOPICS)} topics on {kafka.kafka_bootstrap_servers}\n")


if __name__ == "__main__":
    main()
