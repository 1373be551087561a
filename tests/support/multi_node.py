"""The multi-node stack of tests/e2e/test_multi_node.py: one Redis, two livekit-server nodes
sharing it, on each node an API process and a worker, all on one PostgreSQL.

On loopback there is no load balancer in front of the nodes, so each process names one: each
worker registers with its own node (LIVEKIT_URL), each API gives its callers its own node's URL
(LIVEKIT_PUBLIC_URL). Both APIs name the same LIVEKIT_URL, as they would the cluster's one
address in production: the call watch is one per LIVEKIT_URL and agent (docs/scaling.md).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from testkit.redis import start_redis
from testkit.stack import LiveKitServer, Process, free_port, start_api, start_worker
from tests.support.stacks import service_env

RACING_CALL = "tests.support.e2e_race:racing_call"
# Tokens per minute per client address, across both API processes (a real Redis counts them).
TOKEN_LIMIT = 20


@dataclass
class Node:
    """One livekit-server node with the API process and the worker that name it."""

    name: str
    livekit: LiveKitServer
    # The worker's settings: this node's URL.
    env: dict[str, str]
    workdir: Path
    api: Process | None = None
    api_base: str = ""
    worker: Process | None = None

    def start_worker(self) -> Process:
        folder = self.workdir / f"worker-{self.name}-{free_port()}"
        folder.mkdir()
        self.worker = start_worker(self.env, folder)
        return self.worker

    def api_output(self) -> str:
        assert self.api is not None
        return self.api.output()

    def node_id(self) -> str:
        """livekit-server's id for this node (a new one each start)."""
        return str(re.findall(r'"nodeID": "(ND_\w+)"', self.livekit.child.output())[-1])

    def registrations(self) -> int:
        """How often this node's worker has registered with it (again after a restart)."""
        assert self.worker is not None
        return self.worker.output().count("registered worker")


@dataclass
class Cluster:
    workdir: Path
    nodes: list[Node] = field(default_factory=list)
    started: list[Process | LiveKitServer] = field(default_factory=list)
    # Every worker that ran, the stopped ones too: whose log says which rooms it served.
    workers: list[Process] = field(default_factory=list)

    def start(self, livekit_binary: str, database_url: str) -> None:
        redis, redis_url = start_redis(self.workdir, dict(os.environ))
        self.started.append(redis)
        # Every node sends its webhooks to both API processes.
        api_ports = (free_port(), free_port())
        for name in ("a", "b"):
            folder = self.workdir / f"node-{name}"
            folder.mkdir()
            livekit = LiveKitServer(
                livekit_binary,
                folder,
                target_load=100.0,
                redis={"address": redis_url.removeprefix("redis://").split("/")[0]},
                api_ports=api_ports,
            )
            env = service_env(
                database_url,
                livekit.url,
                models=RACING_CALL,
                REDIS_URL=redis_url,
                TOKEN_RATE_LIMIT=f"{TOKEN_LIMIT}/minute",
                MAX_CONCURRENT_CALLS="1000",
            )
            self.nodes.append(Node(name, livekit, env, folder))
        for node in self.nodes:
            node.livekit.start()
            self.started.append(node.livekit)
        watched = self.nodes[0].livekit.url

        def start_api_of(node: Node, port: int) -> Process:
            env = dict(node.env, LIVEKIT_URL=watched, LIVEKIT_PUBLIC_URL=node.livekit.url)
            node.api, node.api_base = start_api(env, node.workdir, port)
            return node.api

        # All four at once: on a busy 2-core machine their start-ups (imports, the worker's
        # models) take minutes one after another.
        with ThreadPoolExecutor(max_workers=4) as pool:
            pairs = zip(self.nodes, api_ports, strict=True)
            starts = [pool.submit(start_api_of, node, port) for node, port in pairs]
            starts += [pool.submit(node.start_worker) for node in self.nodes]
        failed: list[BaseException] = []
        for start in starts:
            # A start that timed out has stopped its own process.
            if (error := start.exception()) is not None:
                failed.append(error)
            else:
                self.started.append(start.result())
        self.workers = [node.worker for node in self.nodes if node.worker is not None]
        if failed:
            raise failed[0]

    def stop(self) -> None:
        for process in reversed(self.started):
            process.stop()

    def served_by(self, room: str) -> list[Process]:
        """The workers that took a job for `room`."""
        return [
            worker
            for worker in self.workers
            if any(
                r.get("message") == "received job request" and r.get("room") == room
                for r in worker.records()
            )
        ]

    def node_of(self, worker: Process) -> Node:
        return next(node for node in self.nodes if node.worker is worker)

    def room_node(self, room: str) -> str:
        """The id of the node livekit-server placed `room` on, from its nodes' logs."""
        placed = re.compile(rf'"room": "{re.escape(room)}", "selectedNodeID": "(ND_\w+)"')
        found = [m for node in self.nodes for m in placed.findall(node.livekit.child.output())]
        assert found, f"no node placed {room}"
        return str(found[-1])

    def logs(self) -> list[Process]:
        return [p for p in self.started if isinstance(p, Process)] + [
            n.livekit.child for n in self.nodes
        ]
