"""Benchmark: looking reservations up by phone over HTTP, the real app against the ORM version.

    uv run python -m bench.database.lookup

Starts a throwaway embedded PostgreSQL, seeds a few thousand upcoming reservations, then for each
implementation starts one uvicorn worker on 127.0.0.1 and loads it with `wrk`
(`-t2 -c64 -d15s --latency`), every request `GET /api/reservations/<phone>` with the bearer key,
rotating over the seeded phones written in several formats (bench/database/lookup.lua):

- ours: the real staff API, `uvicorn api.main:app` (auth, phone validation, asyncpg store,
  response model);
- orm: `uvicorn bench.database.orm_app:app`, the same route over SQLAlchemy 2 async ORM sessions;
- bare: `uvicorn bench.database.bare_app:app`, calibration: the same query with nothing but
  FastAPI and asyncpg (no auth, validation, models or middleware), roughly this machine's
  ceiling.

wrk, uvicorn and PostgreSQL share the machine's cores; the CPU each used is printed beside the
figures. Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time as wall
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.common import busy_warning, load_average, machine, table
from bench.database.common import Server, postgres_version, process_cpu_seconds, start_server
from core.db.call_records import CallRecords
from core.db.migrations import apply_migrations
from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.errors import AlreadyBooked, BookingRejected
from core.restaurant import load_restaurant
from core.services.calls import CallService
from core.services.reservations import ReservationService
from core.settings import PROJECT_ROOT
from core.spoken.phones import InvalidPhone, normalize_phone
from ops.seed import load_sample_data

LUA_SCRIPT = Path(__file__).with_name("lookup.lua")
API_KEY = "bench-" + os.urandom(8).hex()
APPS = {
    "ours": "api.main:app",
    "orm": "bench.database.orm_app:app",
    "bare": "bench.database.bare_app:app",
}
INSTALL_WRK = (
    "wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu, as root or "
    "with sudo) or `brew install wrk` (macOS), then run this again."
)


@dataclass(frozen=True, slots=True)
class Load:
    implementation: str
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    wrk_latency: str
    # CPU seconds used during the timed run by each process group sharing the machine.
    app_cpu: float
    postgres_cpu: float
    wrk_cpu: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def seed(dsn: str, *, days: int, per_day: int, regulars: int) -> list[str]:
    """Upcoming bookings by the real clock (the API answers "upcoming" by it); their phones."""
    await apply_migrations(dsn)
    restaurant = load_restaurant(PROJECT_ROOT / "restaurant.toml")
    pool = await create_pool(dsn, min_size=1, max_size=2, timeout=10)
    try:
        service = ReservationService(ReservationStore(pool, timeout=10), restaurant)
        calls = CallService(CallRecords(pool, timeout=10))
        await load_sample_data(service, calls, days=days, per_day=per_day)
        # Regulars hold several bookings, so some lookups return more than one reservation.
        rng = random.Random(65)
        today = restaurant.local_now(service.now()).date()
        for n in range(regulars):
            phone = f"+659{n:07d}"
            for offset in rng.sample(range(2, days + 1), k=rng.randint(2, 4)):
                try:
                    await service.create(
                        phone_number=phone,
                        name="Regular",
                        reservation_date=today + timedelta(days=offset),
                        reservation_time=time(12, 0),
                        party_size=2,
                    )
                except (BookingRejected, AlreadyBooked):
                    continue
        phones: set[str] = set()
        for offset in range(1, days + 1):
            page = await service.list_for_date(
                today + timedelta(days=offset), page_size=200, status="confirmed"
            )
            phones.update(r.phone_number for r in page.items if r.phone_number)
        # The store takes any E.164 number, but staff lookups validate with phonenumbers; a
        # number it rejects would be a 422, not a lookup.
        phones = {p for p in phones if _valid(p)}
        # Every phone picked must have an upcoming booking, or the lookups would be 404s.
        sample = sorted(phones)[:: max(1, len(phones) // 20)]
        for phone in sample:
            assert await service.upcoming_by_phone(phone), phone
        return sorted(phones)
    finally:
        await pool.close()


def _valid(phone: str) -> bool:
    try:
        return normalize_phone(phone, "SG") == phone
    except InvalidPhone:
        return False


def request_paths(phones: Sequence[str]) -> list[str]:
    """Each phone in the formats staff type: +6591234567, 91234567, 9123 4567, +65 9123 4567."""
    paths = []
    for phone in phones:
        local = phone.removeprefix("+65")
        for text in (phone, local, f"{local[:4]} {local[4:]}", f"+65 {local[:4]} {local[4:]}"):
            paths.append("/api/reservations/" + quote(text, safe=""))
    random.Random(7).shuffle(paths)
    return paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_app(app: str, port: int, dsn: str, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", app,
        "--workers", "1", "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    env = os.environ | {"DATABASE_URL": dsn, "API_KEY": API_KEY, "LOG_LEVEL": "WARNING"}
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, *, timeout: float) -> None:
    deadline = wall.monotonic() + timeout
    while wall.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        wall.sleep(0.2)
    raise SystemExit(f"the app did not answer /healthz within {timeout:.0f} s:\n{log.read_text()}")


def check_app(base: str, path: str, *, with_auth: bool) -> None:
    """The route answers what the benchmark assumes: 200 with a list, 401 without the key."""
    answer = httpx.get(base + path, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
    if answer.status_code != 200 or not answer.json():
        raise SystemExit(f"GET {path}: {answer.status_code} {answer.text[:200]}")
    if with_auth and httpx.get(base + path, timeout=5).status_code != 401:
        raise SystemExit(f"GET {path} without the key was not refused")


def run_wrk(
    wrk: str, base: str, paths_file: Path, *, threads: int, connections: int, seconds: int
) -> str:
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "-H", f"Authorization: Bearer {API_KEY}",
        "-s", str(LUA_SCRIPT), base, "--", str(paths_file),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


_BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


def parse_wrk(output: str) -> dict[str, int]:
    match = _BENCH_LINE.search(output)
    if match is None:
        raise SystemExit(f"no BENCH line in wrk's output:\n{output}")
    return {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    name: str, wrk: str, server: Server, paths: list[str], workdir: Path, args: argparse.Namespace
) -> Load:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"{name}.log"
    paths_file = workdir / "paths.txt"
    proc = start_app(APPS[name], port, server.dsn, log)
    try:
        wait_ready(base, proc, log, timeout=60)
        check_app(base, paths[0], with_auth=name != "bare")
        print(f"{name}: warming up for {args.warmup} s ...", file=sys.stderr, flush=True)
        run_wrk(wrk, base, paths_file, threads=2, connections=args.connections, seconds=args.warmup)
        print(f"{name}: measuring for {args.duration} s ...", file=sys.stderr, flush=True)
        app_cpu, pg_cpu, wrk_cpu = (
            process_cpu_seconds(proc.pid),
            server.cpu_seconds(),
            children_cpu(),
        )
        output = run_wrk(
            wrk, base, paths_file, threads=2, connections=args.connections, seconds=args.duration
        )
        app_cpu = process_cpu_seconds(proc.pid) - app_cpu
        pg_cpu = server.cpu_seconds() - pg_cpu
        wrk_cpu = children_cpu() - wrk_cpu
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    figures = parse_wrk(output)
    latency = output[output.find("Latency Distribution") :].split("\n\n")[0].strip()
    return Load(
        implementation=name,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p90_ms=figures["p90_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        errors={
            k: figures[k] for k in ("connect", "read", "write", "status", "timeout") if figures[k]
        },
        wrk_latency=latency,
        app_cpu=app_cpu,
        postgres_cpu=pg_cpu,
        wrk_cpu=wrk_cpu,
    )


def report(loads: Sequence[Load], connections: int) -> str:
    header = [
        "implementation",
        "connections",
        "requests/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "cores used: uvicorn / PG / wrk",
    ]
    rows = [
        [
            load.implementation,
            str(connections),
            f"{load.per_second:,.0f}",
            f"{load.p50_ms:.2f}",
            f"{load.p90_ms:.2f}",
            f"{load.p99_ms:.2f}",
            f"{load.max_ms:.2f}",
            ", ".join(f"{k} {v}" for k, v in load.errors.items()) or "0",
            " / ".join(
                f"{cpu / load.seconds:.2f}"
                for cpu in (load.app_cpu, load.postgres_cpu, load.wrk_cpu)
            ),
        ]
        for load in loads
    ]
    out = [table(header, rows)]
    by_name = {load.implementation: load for load in loads}
    if "ours" in by_name:
        ours = by_name["ours"]
        for other in ("orm", "bare"):
            if other in by_name:
                them = by_name[other]
                out.append(
                    f"\nours / {other}: {ours.per_second / them.per_second:.2f}x the requests/s, "
                    f"p99 ours / {other}: {ours.p99_ms / them.p99_ms:.2f}x"
                )
    for load in loads:
        out.append(f"\n{load.implementation}, wrk --latency:\n{load.wrk_latency}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.database.lookup", description=__doc__)
    parser.add_argument("--duration", type=int, default=15, help="seconds of timed load")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of untimed load first")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--days", type=int, default=60, help="days of seeded bookings")
    parser.add_argument("--per-day", type=int, default=60, help="booking attempts per day")
    parser.add_argument("--regulars", type=int, default=300, help="phones with several bookings")
    parser.add_argument(
        "--only", choices=sorted(APPS), action="append", help="run only these (repeatable)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure every implementation this many times"
    )
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    if not (1 <= args.duration <= 120 and 0 < args.connections <= 1024 and 1 <= args.repeat <= 5):
        parser.error("keep the load bounded: --duration 1..120 --connections 1..1024 --repeat 1..5")

    if warning := busy_warning():
        print(warning, file=sys.stderr)
    about = machine()
    server = start_server()
    about.append(f"database: {asyncio.run(postgres_version(server.dsn))} (embedded, defaults)")
    print("seeding ...", file=sys.stderr, flush=True)
    phones = asyncio.run(
        seed(server.dsn, days=args.days, per_day=args.per_day, regulars=args.regulars)
    )
    paths = request_paths(phones)
    print(f"{len(phones)} phones with upcoming bookings, {len(paths)} paths", file=sys.stderr)
    loads = []
    with tempfile.TemporaryDirectory(prefix="bench-lookup-") as tmp:
        workdir = Path(tmp)
        (workdir / "paths.txt").write_text("\n".join(paths) + "\n")
        for _ in range(args.repeat):
            for name in args.only or list(APPS):
                loads.append(measure(name, wrk, server, paths, workdir, args))
    about.append(f"load average after: {load_average()}")
    about.append(f"{len(phones)} phones with upcoming bookings, {len(paths)} request paths")
    print()
    print("\n".join(about))
    print()
    print(report(loads, args.connections))
    failed = [load.implementation for load in loads if load.errors]
    if failed:
        print(f"\nerrors during the load of: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
