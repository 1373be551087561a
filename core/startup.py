"""Start-up, the same for the API and the voice worker: the restaurant file, the database,
migrations.

Both call `start_up` before anything else, so a mistake the operator must fix is one
`StartupError` sentence, said before anything starts, and a new start-up check is added here
once. The operator's `receptionist` commands run it too, after their own checks (ops/local.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.db.migrations import apply_migrations
from core.errors import StartupError
from core.restaurant import Restaurant, load_restaurant
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class Started:
    """What every process needs once start-up has succeeded."""

    restaurant: Restaurant
    # DATABASE_URL, with every migration applied.
    database_url: str


async def start_up(settings: Settings) -> Started:
    """Check the restaurant file, then migrate the database."""
    restaurant = load_restaurant(settings.restaurant_config)
    if not settings.database_url:
        raise StartupError(
            "Set DATABASE_URL to your PostgreSQL (postgresql://user:password@host:5432/db); "
            "for development, scripts/run (receptionist up) starts an embedded one."
        )
    await apply_migrations(settings.database_url)
    return Started(restaurant=restaurant, database_url=settings.database_url)
