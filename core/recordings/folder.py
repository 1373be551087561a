"""Call recordings kept in a folder (RECORDINGS_DIR), each file readable by this user only."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from core.errors import RecordingsUnavailable
from core.recordings import CHUNK_BYTES, NAME, Recording, new_name


@dataclass(frozen=True, slots=True)
class RecordingFolder:
    root: Path

    async def keep(self, source: Path) -> str:
        with _failures():
            return await asyncio.to_thread(self._move_in, source)

    async def open(self, name: str) -> Recording | None:
        path = self.find(name)
        if path is None:
            return None
        with _failures():
            try:
                file = await asyncio.to_thread(path.open, "rb")
            except FileNotFoundError:  # deleted since it was found
                return None
        return Recording(os.fstat(file.fileno()).st_size, _read(file))

    async def delete(self, names: Iterable[str]) -> None:
        with _failures():
            await asyncio.to_thread(self._unlink, list(names))

    async def delete_made_before(self, cutoff: datetime) -> int:
        with _failures():
            return await asyncio.to_thread(self._unlink_made_before, cutoff.timestamp())

    def find(self, name: str) -> Path | None:
        """The file of a recording, or None when there is no such file (or name)."""
        if not NAME.match(name):
            return None
        path = self.root / name
        return path if path.is_file() else None

    def _move_in(self, source: Path) -> str:
        # Only this user may list or read the calls (the folder 0700, each file 0600).
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = new_name()
        target = self.root / name
        shutil.move(source, target)
        os.chmod(target, 0o600)
        # Stamped with this process's clock, the kind the purge compares it with: a move keeps
        # the call's last write, and a shared file system's server keeps its own clock.
        stored = time.time()
        os.utime(target, (stored, stored))
        return name

    def _unlink(self, names: list[str]) -> None:
        for name in names:
            if NAME.match(name):
                (self.root / name).unlink(missing_ok=True)

    def _unlink_made_before(self, cutoff: float) -> int:
        if not self.root.is_dir():
            return 0
        deleted = 0
        for path in self.root.iterdir():
            try:
                if NAME.match(path.name) and path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:  # deleted by another purge since it was listed
                continue
        return deleted


@contextmanager
def _failures() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        # The error's kind only: its text names the folder's path.
        raise RecordingsUnavailable(
            f"The recordings' folder could not be used ({type(exc).__name__})."
        ) from exc


async def _read(file: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
            yield chunk
    finally:
        file.close()
