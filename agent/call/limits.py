"""How a call ends when the caller does not end it: a long silence, or the longest a call lasts.

Every call holds a job process, the speech models and a line that other callers may need, so
none may last for ever. A caller silent for long enough (and the agent quiet) is gone or has
forgotten the call: livekit-agents marks them "away" after the session's `user_away_timeout`
(PHONE_SILENCE_SECONDS on a phone line, WEB_SILENCE_SECONDS in a browser or app). A call, however
lively, ends after MAX_CALL_SECONDS. Either way the agent says a short goodbye and ends the
session, which deletes the room (agent/main.py) and so hangs up a phone line too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from livekit.agents import AgentSession, CloseEvent, UserStateChangedEvent

from agent.call.state import CallState
from core.settings import Settings

logger = logging.getLogger("agent.call.limits")

SILENT = (
    "The caller has been silent for a long time. Say in one short sentence that you will end "
    "the call now and they are welcome to call again, then goodbye."
)
TOO_LONG = (
    "This call has reached the longest a call may last. Say in one short sentence that you "
    "have to end the call now and they are welcome to call again, then goodbye."
)
# The goodbye is a courtesy: a model that does not answer cannot keep the call open.
GOODBYE_WITHIN = 20.0


def session_options(phone: bool, settings: Settings) -> dict[str, Any]:
    """`AgentSession` options: how long a silence counts as the caller gone."""
    silence = settings.phone_silence_seconds if phone else settings.web_silence_seconds
    return {"user_away_timeout": silence}


def attach_call_limits(session: AgentSession[CallState], max_seconds: float) -> None:
    """End the call after a long silence, or once it has lasted `max_seconds`."""
    ending: set[asyncio.Task[None]] = set()
    session_id = session.userdata.session_id

    def end(why: str, instructions: str) -> None:
        if ending:
            return
        logger.info(why, extra={"session": session_id})
        ending.add(asyncio.create_task(_say_goodbye(session, instructions)))

    @session.on("user_state_changed")
    def _away(event: UserStateChangedEvent) -> None:
        if event.new_state == "away":
            end("caller silent, ending the call", SILENT)

    too_long = asyncio.get_running_loop().call_later(
        max_seconds, end, "call at its longest, ending it", TOO_LONG
    )

    @session.on("close")
    def _closed(_: CloseEvent) -> None:
        too_long.cancel()


async def _say_goodbye(session: AgentSession[CallState], instructions: str) -> None:
    try:
        handle = session.generate_reply(instructions=instructions, allow_interruptions=False)
        await asyncio.wait_for(handle.wait_for_playout(), GOODBYE_WITHIN)
    except (TimeoutError, RuntimeError):
        # No goodbye (the model did not answer, or the session is already closing): the call
        # ends all the same.
        logger.warning(
            "call ended without a goodbye", extra={"session": session.userdata.session_id}
        )
    # The room is deleted when the session closes (agent/main.py), which hangs up a phone line.
    session.shutdown()
