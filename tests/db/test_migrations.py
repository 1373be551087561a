"""The migration runner against its own throwaway server."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncpg
import pytest

from core.db.migrations import MIGRATIONS_DIR, MigrationError, apply_migrations, read_migrations
from testkit.postgres import new_server_url
from tests.support.database import INSPECT


@pytest.fixture(scope="module")
def fresh_url() -> str:
    return new_server_url()


async def applied_versions(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return [r["version"] async for r in INSPECT.applied_versions(conn)]
    finally:
        await conn.close()


async def test_processes_starting_together_apply_each_file_once(fresh_url: str) -> None:
    results = await asyncio.gather(*(apply_migrations(fresh_url) for _ in range(6)))
    names = [name for result in results for name in result]
    expected = [f"{m.version:04d}_{m.name}" for m in read_migrations()]
    assert sorted(names) == sorted(expected)  # all applied, none twice
    assert await applied_versions(fresh_url) == [m.version for m in read_migrations()]
    assert await apply_migrations(fresh_url) == []


async def test_an_edited_applied_file_is_a_clear_error(fresh_url: str, tmp_path: Path) -> None:
    await apply_migrations(fresh_url)
    edited = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, edited)
    first = sorted(edited.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- a later edit\n")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        await apply_migrations(fresh_url, edited)


async def test_a_failing_file_leaves_nothing_half_applied(fresh_url: str, tmp_path: Path) -> None:
    await apply_migrations(fresh_url)
    broken = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, broken)
    (broken / "9000_broken.sql").write_text(
        "create table half_done (id int);\nselect * from no_such_table;\n"
    )
    with pytest.raises(asyncpg.UndefinedTableError):
        await apply_migrations(fresh_url, broken)
    assert 9000 not in await applied_versions(fresh_url)
    conn = await asyncpg.connect(fresh_url)
    try:
        assert not await INSPECT.table_exists(conn, name="half_done")
    finally:
        await conn.close()


def test_misnamed_and_duplicate_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "1_bad.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="NNNN_snake_case"):
        read_migrations(tmp_path)
    (tmp_path / "1_bad.sql").unlink()
    (tmp_path / "0001_a.sql").write_text("select 1;")
    (tmp_path / "0001_b.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="used twice"):
        read_migrations(tmp_path)
