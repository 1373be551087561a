"""The local stack's child processes: started in order, restarted when they die, stopped in
reverse order on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from core.settings import PROJECT_ROOT

# A child that keeps dying is restarted after 1, 2, 4 ... seconds, at most this long.
MAX_RESTART_DELAY = 30.0
# One that ran this long before dying was healthy: its next restart is quick again.
HEALTHY_RUN = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    # Output passed through and watched for this line (None: the child writes to our output).
    marker: bytes | None
    process: subprocess.Popen[bytes]
    seen: threading.Event = field(default_factory=threading.Event)
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0
    restart_at: float | None = None


class Stack:
    """Starts children in order, restarts any that dies, and stops them in reverse order."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        child = Child(name, argv, None, _spawn(argv, watched=False))
        self.children.append(child)
        return child.process

    def start_watched(self, name: str, argv: list[str], marker: bytes) -> threading.Event:
        """Start a child whose output we pass through; the event is set once `marker` shows."""
        child = Child(name, argv, marker, _spawn(argv, watched=True))
        self.children.append(child)
        _watch(child)
        return child.seen

    def wait(self) -> int:
        """Supervise the children until Ctrl-C or SIGTERM; then stop them all."""
        stop = False

        def request_stop(signum: int, frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        while not stop:
            for child in self.children:
                self._supervise(child)
            time.sleep(0.2)
        self.stop()
        return 0

    def _supervise(self, child: Child) -> None:
        if child.restart_at is None:
            if child.process.poll() is None:
                return
            if time.monotonic() - child.started_at >= HEALTHY_RUN:
                child.restarts = 0
            delay = min(2.0**child.restarts, MAX_RESTART_DELAY)
            child.restart_at = time.monotonic() + delay
            print(
                f"{child.name} stopped (exit status {child.process.returncode}); "
                f"restarting it in {delay:.0f} s.",
                flush=True,
            )
        elif time.monotonic() >= child.restart_at:
            child.process = _spawn(child.argv, watched=child.marker is not None)
            child.started_at, child.restart_at = time.monotonic(), None
            child.restarts += 1
            if child.marker is not None:
                child.seen = threading.Event()
                _watch(child)
            print(f"{child.name} restarted (restart {child.restarts}).", flush=True)

    def exited(self) -> str | None:
        """The first child that is no longer running, with its exit status."""
        for child in self.children:
            if child.process.poll() is not None:
                return f"{child.name} (exit status {child.process.returncode})"
        return None

    def stop(self) -> None:
        for child in reversed(self.children):
            process = child.process
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _spawn(argv: list[str], *, watched: bool) -> subprocess.Popen[bytes]:
    # Each child gets its own process group so Ctrl-C reaches it only through us, in order.
    output = subprocess.PIPE if watched else None
    return subprocess.Popen(
        argv,
        cwd=PROJECT_ROOT,
        env=os.environ,
        start_new_session=True,
        stdout=output,
        stderr=subprocess.STDOUT if watched else None,
    )


def _watch(child: Child) -> None:
    threading.Thread(
        target=_pass_through, args=(child.process, child.marker, child.seen), daemon=True
    ).start()


def _pass_through(
    process: subprocess.Popen[bytes], marker: bytes | None, seen: threading.Event
) -> None:
    assert process.stdout is not None and marker is not None
    for line in process.stdout:
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()
        if marker in line:
            seen.set()
