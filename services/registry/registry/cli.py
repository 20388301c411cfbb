"""Command line of the registry beside running it: ``python -m registry accounts create-ops``, ``import``, ``export``.

The region's first ops account cannot be invited by anyone, so ops create it on the server: the command
makes the account and its ``region_ops`` membership, e-mails the invitation when SMTP is set, and prints the
link to choose a password (once; only its hash is stored). Further ops accounts are invited through the API
(``POST /v1/invitations`` with ``OPS_TOKEN`` or an ops session).
"""

from __future__ import annotations

import argparse
import asyncio

from pydantic import EmailStr, TypeAdapter, ValidationError

from common.auth import Role
from common.clock import SystemClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.uow import Origin, unit_of_work
from registry import bulk_cli
from registry.account_mail import AccountMailer
from registry.authn import AccountPolicy
from registry.config import Settings
from registry.main import SPEC
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.accounts import Invite, Invited, invite

__all__ = ["main"]


def main(argv: list[str]) -> int:
    """Run a command; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m registry", description="Registry commands.")
    groups = parser.add_subparsers(dest="group", required=True)
    accounts = groups.add_parser("accounts", help="personal accounts").add_subparsers(dest="command", required=True)
    create = accounts.add_parser("create-ops", help="create the region's first ops account (prints its link)")
    create.add_argument("--email", required=True, help="the ops person's e-mail address")
    create.add_argument("--name", required=True, help="their name")
    bulk_cli.add_commands(groups)
    args = parser.parse_args(argv)
    if args.group in ("import", "export"):
        return bulk_cli.run_command(args)
    try:
        email = str(TypeAdapter(EmailStr).validate_python(args.email))
    except ValidationError:
        parser.error("--email is not an e-mail address")
    return asyncio.run(_create_ops(Settings(), email, args.name))


async def _create_ops(settings: Settings, email: str, name: str) -> int:
    pool = await create_pool(settings.database_url.get_secret_value(), 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, SPEC.migrations)
        origin = Origin.of_job(service="registry", region=settings.region, job="create-ops")
        policy = AccountPolicy.from_settings(settings)
        async with unit_of_work(pool, origin, SystemClock(), PostgresRegistryUnitOfWork) as uow:
            invited: Invited = await invite(Invite(Role.REGION_OPS, None, None, email, name, None, policy), uow)
    finally:
        await pool.close()
    mail = invited.mail
    if mail.token is None:
        print(f"account {invited.account_id} existed already; now region ops too ({invited.membership_id})")
        return 0
    sent = await AccountMailer(settings).send(mail)
    assert mail.expires_at is not None
    print(f"region ops account {invited.account_id} created; {'e-mailed' if sent else 'not e-mailed (no SMTP)'}.")
    print(f"Choose its password (once, before {mail.expires_at:%Y-%m-%d %H:%M} UTC), then log in and enable TOTP:")
    print(settings.account_link_url.replace("{token}", mail.token))
    return 0
