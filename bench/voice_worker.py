"""The product's voice worker with livekit-agents' admission control off (benchmark only).

    python -m bench.voice_worker start

A livekit-agents worker refuses new jobs while the machine's CPU load (a 2.5 s average) is at
or above its load threshold, at most 1.0 (WORKER_LOAD_THRESHOLD); livekit-server, for its part,
only offers jobs to a worker whose reported load is below its `agents.target_load` (0.7).
`bench.voice --no-admission` runs this instead of `python -m agent`, and raises the server's
target load, to see what the latency does past that point with the same pool of warm job
processes. Everything else is `agent.main`.
"""

from __future__ import annotations

import math
from typing import Any

from livekit.agents import AgentServer

from agent.main import main as agent_main


def main() -> None:
    original = AgentServer.__init__

    def never_full(self: AgentServer, *args: Any, **kwargs: Any) -> None:
        kwargs["load_threshold"] = math.inf
        original(self, *args, **kwargs)

    setattr(AgentServer, "__init__", never_full)  # noqa: B010 (mypy forbids assigning a method)
    agent_main()


if __name__ == "__main__":
    main()
