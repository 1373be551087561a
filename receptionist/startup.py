"""Start-up, the same for every entry point: the restaurant file, the telephony settings, the
database, migrations.

The API, the voice worker and every `receptionist` command call `start_up` before anything
else, so a mistake the operator must fix is one `StartupError` sentence, said before anything
starts, and a new start-up check is added here once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.migrations import apply_migrations
from core.restaurant import Restaurant, load_restaurant
from core.settings import Settings
from receptionist.embedded_postgres import start_embedded_postgres
from receptionist.telephony import PhoneLines, check_telephony


@dataclass(frozen=True, slots=True)
class Started:
    """What every process needs once start-up has succeeded."""

    restaurant: Restaurant
    # DATABASE_URL, or the embedded server's, with every migration applied.
    database_url: str
    # The checked SIP settings when SIP_ENABLED is on, else None.
    phone: PhoneLines | None = None


async def start_up(settings: Settings) -> Started:
    """Check the restaurant file and telephony settings, find or start the database and
    migrate it."""
    restaurant = load_restaurant(settings.restaurant_config)
    phone = check_telephony(settings, restaurant)
    database_url = settings.database_url
    if not database_url:
        # Starting the embedded server blocks for a second or two; keep the loop free meanwhile.
        database_url = await asyncio.to_thread(
            start_embedded_postgres, settings.data_dir / "postgres"
        )
    await apply_migrations(database_url)
    return Started(restaurant=restaurant, database_url=database_url, phone=phone)
