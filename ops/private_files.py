"""Files only this user may read, for secrets: the development keys, and the settings the stack's
programs get from a file because a command line is any local user's to read
(/proc/<pid>/cmdline). Each is 0600 from its first byte and never seen half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Put `text` in `path`, replacing what was there."""
    temporary = _private_temporary(path, text)
    try:
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def create_private(path: Path, text: str) -> bool:
    """Put `text` in `path` unless it exists; whether this call made it. Of two processes
    starting at once, one makes it and the other reads it whole."""
    temporary = _private_temporary(path, text)
    try:
        os.link(temporary, path)  # fails if `path` exists: made at most once
    except FileExistsError:
        # Made by an older version, which wrote the file before it narrowed its mode.
        path.chmod(0o600)
        return False
    finally:
        temporary.unlink()
    return True


def _private_temporary(path: Path, text: str) -> Path:
    # The folder is private too when we make it; mkstemp makes the file 0600 whatever the umask.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as file:
        file.write(text)
    return Path(name)
