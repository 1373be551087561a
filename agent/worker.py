"""livekit's worker, with two things a supervisor and a caller need that it does not do.

- It remembers when it stopped because it could not reach LiveKit, so `python -m agent` can
  exit with a failure (livekit's CLI exits with status 0 even then).
- When a call's job process dies (killed, out of memory), its agent would stay in the room as
  a ghost until livekit-server times the connection out, some 20 s of silence for the caller.
  The worker removes that agent at once, so the API's call watch (api/call_watch.py) sees the
  room without an agent and dispatches a new one, which picks the call up (agent/call/start.py).
- With admission control off (`WORKER_LOAD_THRESHOLD` above 1) it reports the machine's load
  below 1.0: livekit-server offers no job to a worker at 1.0, whatever its agents.target_load,
  so a saturated machine would still turn every caller away.
- With WORKER_METRICS_PORT set it serves Prometheus metrics through livekit's own server, in
  prometheus_client's multiprocess mode (each call is a job process of its own), and drops a
  job process's gauges when it ends, which livekit does not.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import shutil
import tempfile
from typing import Any

from livekit import api
from livekit.agents import AgentServer
from prometheus_client import multiprocess

from core.settings import Settings

logger = logging.getLogger(__name__)

# The highest load livekit-server still offers a job to (it weighs workers by 1 - load).
MAX_REPORTED_LOAD = 0.99


class ReceptionWorker(AgentServer):
    gave_up = False

    def __init__(self, settings: Settings, **options: Any) -> None:
        # The job processes' metric files: a folder of this worker's own, since livekit empties
        # it at start (a shared one would lose another worker's calls); removed at its end.
        port = settings.worker_metrics_port
        self._metrics_dir = None if port is None else tempfile.mkdtemp(prefix="receptionist-")
        super().__init__(
            prometheus_port=port, prometheus_multiproc_dir=self._metrics_dir, **options
        )
        self._settings = settings
        self._cleanups: set[asyncio.Task[None]] = set()
        self.on("worker_started", self._watch_job_processes)
        self.on("worker_started", self._report_load_below_full)

    async def run(self, *, devmode: bool = False, unregistered: bool = False) -> None:
        try:
            await super().run(devmode=devmode, unregistered=unregistered)
        except Exception:
            self.gave_up = True
            raise
        finally:
            if self._metrics_dir is not None:
                shutil.rmtree(self._metrics_dir, ignore_errors=True)

    def _watch_job_processes(self) -> None:
        # livekit-agents 1.8 has no public event for a job process that ended; its process
        # pool's is the one the worker itself listens to.
        self._proc_pool.on("process_closed", self._job_process_closed)

    def _report_load_below_full(self) -> None:
        # By now livekit has put its own CPU measure in place of an unset one.
        measure = self.load_fnc
        if self._settings.worker_load_threshold <= 1 or measure is None:
            return
        takes_worker = bool(inspect.signature(measure).parameters)

        def capped(worker: AgentServer) -> float:
            load = measure(worker) if takes_worker else measure()  # type: ignore[call-arg]
            return min(load, MAX_REPORTED_LOAD)

        self.load_fnc = capped

    def _job_process_closed(self, proc: Any) -> None:
        if self._metrics_dir is not None and proc.pid is not None:
            # Its calls are no longer in progress, even if it died without saying so.
            multiprocess.mark_process_dead(proc.pid, self._metrics_dir)  # type: ignore[no-untyped-call]
        job, exitcode = proc.running_job, proc.exitcode
        if job is None or exitcode in (0, None):
            return
        room, identity = job.job.room.name, job.accept_arguments.identity
        logger.warning("call's job process died", extra={"room": room, "exitcode": exitcode})
        task = asyncio.create_task(self._remove_agent(room, identity))
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    async def _remove_agent(self, room: str, identity: str) -> None:
        settings = self._settings
        key, secret = settings.livekit_api_key, settings.livekit_api_secret
        if key is None or secret is None:
            return
        credentials = (settings.livekit_api_url, key.get_secret_value(), secret.get_secret_value())
        try:
            async with api.LiveKitAPI(*credentials) as lk:
                await lk.room.remove_participant(
                    api.RoomParticipantIdentity(room=room, identity=identity)
                )
            logger.info("lost agent removed from the room", extra={"room": room})
        except Exception as exc:
            # livekit-server times the ghost out by itself; this only makes it quicker.
            logger.warning(
                "lost agent not removed", extra={"room": room, "error": type(exc).__name__}
            )
