"""Apply a service's migrations and exit: ``python -m common.migrate <service>`` (the deployment's migration job).

The service applies the same files at start-up under the same advisory lock, so running this first only
moves the work (and a failure) out of the pods' start: they then find every file applied and verify the
checksums. Reads ``<SERVICE>_DATABASE_URL`` like the service does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from common.db import RUNTIME_MIGRATIONS, MigrationChangedError, apply_migrations, create_pool
from common.logging import configure_logging
from common.ops.replay import load_spec


async def migrate(service: str, database_url: str, spec_path: str | None = None) -> list[str]:
    """Apply the runtime's and the service's pending migrations; return the names applied."""
    spec = load_spec(spec_path or f"{service}.main:SPEC")
    pool = await create_pool(database_url, 1)
    try:
        return await apply_migrations(pool, RUNTIME_MIGRATIONS, spec.migrations)
    finally:
        await pool.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the migrations of one service; exit status 1 when an applied migration was changed."""
    parser = argparse.ArgumentParser(prog="python -m common.migrate", description=__doc__)
    parser.add_argument("service", help="service name, e.g. registry")
    parser.add_argument("--spec", help="module:attribute of its ServiceSpec (default: <service>.main:SPEC)")
    args = parser.parse_args(argv)
    variable = f"{args.service.upper()}_DATABASE_URL"
    database_url = os.environ.get(variable)
    if not database_url:
        raise SystemExit(f"set {variable}")
    configure_logging(f"{args.service}-migrate", os.environ.get("LOG_LEVEL", "INFO"))
    try:
        applied = asyncio.run(migrate(args.service, database_url, args.spec))
    except MigrationChangedError as error:
        sys.stderr.write(f"refused: {error}\n")
        return 1
    names = f": {', '.join(applied)}" if applied else ""
    sys.stdout.write(f"{args.service}: {len(applied)} migration(s) applied{names}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
