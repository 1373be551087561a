"""A caller who sends 50 MB the API never asked for, against the real server (uvicorn): refused
at once, and the API's memory does not grow. Before the body limit the API read such a body
whole (a 200 MB one took 100 s and grew it to 494 MB) and then answered 422."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.stacks import StaffStack

SIZE = 50 * 1024 * 1024
CHUNK = 64 * 1024
JSON = {"Content-Type": "application/json"}
# Allocator noise on a busy machine; reading the body would be 50 MB and more.
MAX_GROWTH_KB = 4 * 1024


def resident_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status").read().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


async def chunked(size: int) -> AsyncIterator[bytes]:
    """`size` bytes without a Content-Length, as they are made: none are held in memory."""
    block = b"x" * CHUNK
    for _ in range(size // CHUNK):
        yield block


@pytest.mark.parametrize(
    ("how", "path", "status"),
    [
        # A staff route, Content-Length declared: refused before the route runs.
        ("content-length", "/api/reservations", 413),
        # The public token route, chunked: counted as it arrives, refused past the limit.
        ("chunked", "/api/token", 413),
        # A staff route, chunked: refused for want of the key before the body is read.
        ("chunked", "/api/reservations", 401),
    ],
)
async def test_a_huge_unasked_for_body_costs_the_api_nothing(
    staff_stack: StaffStack, how: str, path: str, status: int
) -> None:
    assert staff_stack.api.process is not None
    pid = staff_stack.api.process.pid
    body = b"x" * SIZE if how == "content-length" else None
    async with httpx.AsyncClient(base_url=staff_stack.api_base, timeout=120) as client:
        # The same refusal once first, so what a first request of its kind sets up once is
        # not counted.
        small = b"x" * 4 * CHUNK if body else chunked(4 * CHUNK)
        warm = await client.post(path, content=small, headers=JSON)
        assert warm.status_code == status, warm.text
        before = resident_kb(pid)
        started = time.monotonic()
        response = await client.post(path, content=body or chunked(SIZE), headers=JSON)
        seconds = time.monotonic() - started
        after = resident_kb(pid)
    print(
        f"\n50 MB {how} to {path}: {response.status_code} in {seconds:.2f} s; "
        f"API resident memory {before} kB -> {after} kB ({after - before:+d} kB)"
    )
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert after - before < MAX_GROWTH_KB
