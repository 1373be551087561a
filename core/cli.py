"""`receptionist`: run the local stack, apply migrations, load sample data."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from collections.abc import Sequence

from core.booking import ReservationService
from core.database import database_url
from core.logs import configure_logging
from core.migrations import apply_migrations
from core.restaurant import load_restaurant
from core.seed import load_sample_data
from core.settings import Settings, get_settings
from core.store import Store, create_pool

logger = logging.getLogger("receptionist")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="receptionist", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the API on the embedded (or DATABASE_URL) database")
    commands.add_parser("migrate", help="apply pending migrations and exit")
    seed = commands.add_parser("seed", help="load realistic sample bookings for development")
    seed.add_argument("--days", type=int, default=14, help="how many days ahead to fill")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level)
    if args.command == "up":
        return up(settings)
    if args.command == "migrate":
        asyncio.run(apply_migrations(database_url(settings)))
        return 0
    made = asyncio.run(seed_database(settings, days=args.days))
    print(f"Loaded {made} sample reservations.")
    return 0


def up(settings: Settings) -> int:
    import uvicorn

    dsn = database_url(settings)
    # The API is started in this process, which also holds the embedded database: stopping
    # this command stops both.
    os.environ["DATABASE_URL"] = dsn
    if settings.api_key is None:
        key = _dev_api_key(settings)
        os.environ["API_KEY"] = key
        print(f"API_KEY was not set; using the development key {key} (kept in .data/).")
    get_settings.cache_clear()
    base = f"http://{settings.api_host}:{settings.api_port}"
    print(f"Staff API: {base}/docs   health: {base}/healthz")
    uvicorn.run("api.main:app", host=settings.api_host, port=settings.api_port, log_config=None)
    return 0


async def seed_database(settings: Settings, *, days: int) -> int:
    dsn = database_url(settings)
    await apply_migrations(dsn)
    pool = await create_pool(dsn, min_size=1, max_size=2, timeout=settings.db_timeout_seconds)
    try:
        service = ReservationService(Store(pool), load_restaurant(settings.restaurant_config))
        return await load_sample_data(service, days=days)
    finally:
        await pool.close()


def _dev_api_key(settings: Settings) -> str:
    path = settings.data_dir / "dev-api-key"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


if __name__ == "__main__":
    sys.exit(main())
