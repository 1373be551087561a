"""Start-up on the operator's machine: the telephony settings checked, and an embedded
PostgreSQL in `.data/` when DATABASE_URL is unset; then the start-up the API and worker run."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from core.restaurant import load_restaurant
from core.settings import Settings
from core.startup import Started, start_up
from ops.embedded_postgres import start_embedded_postgres
from ops.sip import PhoneLines, check_telephony


@dataclass(frozen=True, slots=True)
class StartedLocally:
    started: Started
    # The checked SIP settings when SIP_ENABLED is on, else None.
    phone: PhoneLines | None


async def start_locally(settings: Settings) -> StartedLocally:
    """Check the telephony settings, find or start the database, then `start_up`. Processes
    started after this (the stack's API and worker) inherit DATABASE_URL."""
    phone = check_telephony(settings, load_restaurant(settings.restaurant_config))
    if not settings.database_url:
        # Starting the embedded server blocks for a second or two; keep the loop free meanwhile.
        url = await asyncio.to_thread(start_embedded_postgres, settings.data_dir / "postgres")
        os.environ["DATABASE_URL"] = url
        settings = settings.model_copy(update={"database_url": url})
    return StartedLocally(started=await start_up(settings), phone=phone)
