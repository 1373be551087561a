"""Call recordings kept in a folder (RECORDINGS_DIR): how a file is named, kept, found and
deleted.

A recording's name is random: it says nothing about the call or the caller, and the database
(sql/migrations/0010) accepts only such names, so none can point outside the folder.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"^[0-9a-f]{32}\.ogg$")


@dataclass(frozen=True, slots=True)
class RecordingFolder:
    root: Path

    def keep(self, source: Path) -> str:
        """Move the finished recording at `source` into the folder; its name there."""
        # Only this user may list or read the calls (the folder 0700, each file 0600).
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{secrets.token_hex(16)}.ogg"
        target = self.root / name
        shutil.move(source, target)
        os.chmod(target, 0o600)
        return name

    def find(self, name: str) -> Path | None:
        """The file of a recording, or None when there is no such file (or name)."""
        if not NAME.match(name):
            return None
        path = self.root / name
        return path if path.is_file() else None

    def delete(self, names: Iterable[str]) -> None:
        """Delete these recordings; one already gone is no error."""
        for name in names:
            if NAME.match(name):
                (self.root / name).unlink(missing_ok=True)
