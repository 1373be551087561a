"""Call recordings (RECORD_CALLS): where the finished audio is kept, found and deleted.

One interface, two places chosen by settings: a folder (RECORDINGS_DIR, `folder.py`) or an
S3-compatible bucket (RECORDINGS_BUCKET, `bucket.py`). The worker keeps a call's recording,
the API streams it to staff, and the purge deletes it, each through `recording_store`.

A recording's name is random: it says nothing about the call or the caller, and the database
(sql/migrations/0010) accepts only such names, so none can point outside the folder or prefix.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from core.settings import Settings

NAME = re.compile(r"^[0-9a-f]{32}\.ogg$")
# Read and sent in pieces this large, so a long call is never held in memory whole.
CHUNK_BYTES = 64 * 1024


def new_name() -> str:
    return f"{secrets.token_hex(16)}.ogg"


@dataclass(frozen=True, slots=True)
class Recording:
    """A found recording, read as it is sent."""

    size: int
    chunks: AsyncIterator[bytes]


class RecordingStore(Protocol):
    # Each raises RecordingsUnavailable (core/errors.py) when the folder or bucket fails.

    async def keep(self, source: Path) -> str:
        """Store the finished recording at `source` (which is then gone); its name."""
        ...

    async def open(self, name: str) -> Recording | None:
        """The recording of that name, or None when there is none (or the name is not one)."""
        ...

    async def delete(self, names: Iterable[str]) -> None:
        """Delete these recordings; one already gone is no error."""
        ...

    async def delete_made_before(self, cutoff: datetime) -> int:
        """Delete every recording stored before `cutoff`, linked or not; how many."""
        ...


def recording_store(settings: Settings) -> RecordingStore:
    """The bucket when RECORDINGS_BUCKET names one, else the folder."""
    # Imported here: only a bucket needs boto3 loaded.
    if settings.recordings_bucket is not None:
        from core.recordings.bucket import RecordingBucket

        return RecordingBucket.from_settings(settings)
    from core.recordings.folder import RecordingFolder

    return RecordingFolder(settings.recordings_folder)
