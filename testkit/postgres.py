"""A throwaway embedded PostgreSQL, for the tests' database and the voice benchmarks'."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ops.embedded_postgres import start_embedded_postgres


def new_server_url() -> str:
    """A throwaway embedded PostgreSQL, deleted when this process ends."""
    return start_embedded_postgres(
        Path(tempfile.mkdtemp(prefix="receptionist-pg-")) / "pgdata", delete_on_exit=True
    )
