"""`receptionist`: run the local stack, apply migrations, purge old personal data, load
sample data."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from core.db.call_records import CallRecords
from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.errors import RecordingsUnavailable, StartupError
from core.logs import configure_logging
from core.recordings import recording_store
from core.services.calls import CallService
from core.services.reservations import ReservationService, utc_now
from core.services.retention import Purged, purge_personal_data
from core.settings import Settings, get_settings
from core.startup import Started
from ops.local import start_locally
from ops.seed import load_sample_data
from ops.stack import up

logger = logging.getLogger("receptionist")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="receptionist", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "up",
        help="run the local stack: database, LiveKit server, API and voice worker (with "
        "SIP_ENABLED, Redis and livekit-sip too)",
    )
    commands.add_parser("migrate", help="apply pending migrations and exit")
    commands.add_parser(
        "purge", help="anonymise personal data older than restaurant.toml's [retention] now"
    )
    seed = commands.add_parser("seed", help="load realistic sample bookings for development")
    seed.add_argument("--days", type=_days, default=14, help="how many days ahead to fill (1-365)")
    args = parser.parse_args(argv)

    try:
        settings = get_settings()
        configure_logging(settings.log_level)
        return run(args.command, settings, args)
    except StartupError as problem:
        # The operator's to fix, and the message says how: no traceback.
        print(f"receptionist: {problem}", file=sys.stderr)
        return 1


def run(command: str, settings: Settings, args: argparse.Namespace) -> int:
    if command == "up":
        return up(settings)  # the whole local stack, see ops/stack.py
    if command == "migrate":
        asyncio.run(start_locally(settings))
        return 0
    if command == "purge":
        try:
            purged = asyncio.run(purge_database(settings))
        except RecordingsUnavailable as problem:
            # Rolled back whole: the next purge (or the API's daily one) tries again.
            print(f"receptionist: nothing purged: {problem}", file=sys.stderr)
            return 1
        print(
            f"Anonymised {purged.reservations} reservations, {purged.escalations} callbacks "
            f"and {purged.handoffs} handoffs, and deleted {purged.failed_proofs} failed proofs, "
            f"{purged.calls} calls' transcripts and "
            f"{purged.recordings + purged.unlinked_recordings} call recordings, "
            "older than their retention period."
        )
        return 0
    made = asyncio.run(seed_database(settings, days=args.days))
    print(f"Loaded {made} sample reservations.")
    return 0


def _days(raw: str) -> int:
    days = int(raw) if raw.isdigit() else 0
    if not 1 <= days <= 365:
        raise argparse.ArgumentTypeError("a whole number of days from 1 to 365")
    return days


async def purge_database(settings: Settings) -> Purged:
    started = await _started(settings)
    pool = await create_pool(
        started.database_url, min_size=1, max_size=1, timeout=settings.db_timeout_seconds
    )
    try:
        records = CallRecords(pool, timeout=settings.db_timeout_seconds)
        recordings = recording_store(settings)
        return await purge_personal_data(records, started.restaurant, utc_now(), recordings)
    finally:
        await pool.close()


async def seed_database(settings: Settings, *, days: int) -> int:
    started = await _started(settings)
    pool = await create_pool(
        started.database_url, min_size=1, max_size=2, timeout=settings.db_timeout_seconds
    )
    try:
        # Sample bookings and callbacks are not news: nothing is announced to the staff.
        service = ReservationService(ReservationStore(pool), started.restaurant, notify_staff=False)
        calls = CallService(CallRecords(pool), notify_staff=False)
        return await load_sample_data(service, calls, days=days)
    finally:
        await pool.close()


async def _started(settings: Settings) -> Started:
    return (await start_locally(settings)).started


if __name__ == "__main__":
    sys.exit(main())
