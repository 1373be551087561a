"""Putting a phone caller through to staff: a cold transfer by SIP REFER.

livekit-sip asks the caller's side (the carrier, or the caller's phone) to call the staff line
itself; once it has, the caller leaves the room and this call ends. Warm transfer (livekit's
`WarmTransferTask`) would need an outbound trunk and `MoveParticipant`; see docs/phone.md.
"""

from __future__ import annotations

import asyncio
import logging

from livekit import api, rtc
from livekit.agents import ToolError, get_job_context, llm

from agent.call.state import CallState, RunContext_T

logger = logging.getLogger("agent.phone.transfer")

# How long a carrier may take to end our leg after a transfer it completed.
CARRIER_HANG_UP_SECONDS = 3.0
FAILED = "The transfer did not go through. Apologise, and take a message for the staff instead."


def staff_transfer_tool(state: CallState, caller_identity: str) -> llm.Tool:
    """The escalation agent's transfer tool, for phone calls only."""

    @llm.function_tool
    async def put_through_to_staff(ctx: RunContext_T) -> str:
        """Put the caller through to a member of staff on the phone. Offer it first; call
        this once the caller agrees, right after telling them you are putting them through.
        If it fails or nobody can take the call, take a message instead."""
        line = state.restaurant.staff_line(state.service.now())
        if line is None:
            raise ToolError(
                "Nobody can take calls right now. Say so, and take a message for the staff."
            )
        if ctx.speech_handle.interrupted:
            return "The caller interrupted; ask again whether to put them through."
        # A half-made transfer would leave the caller in silence.
        ctx.disallow_interruptions()
        await ctx.wait_for_playout()
        job = get_job_context()
        request = api.TransferSIPParticipantRequest(
            room_name=job.room.name, participant_identity=caller_identity, transfer_to=line
        )
        try:
            answer = await job.api.sip.transfer_sip_participant(request)
            refused = answer.status == api.SIPTransferStatus.STS_TRANSFER_FAILED
        except (api.ServerError, OSError, TimeoutError):
            refused = True
        # A livekit-sip built without scripts/patches can report a REFER the far end took as
        # failed (it loses a fast reply); a carrier then hangs up our leg once the caller is
        # through: that is a transfer.
        if refused and not await _left(job.room, caller_identity, CARRIER_HANG_UP_SECONDS):
            logger.warning("transfer failed", extra={"session": state.session_id})
            raise ToolError(FAILED)
        logger.info("transferred to staff", extra={"session": state.session_id})
        return "The caller is now with the staff; the call ends here."

    return put_through_to_staff


async def _left(room: rtc.Room, identity: str, seconds: float) -> bool:
    """Whether the participant is gone from the room, or goes within `seconds`."""
    if identity not in room.remote_participants:
        return True
    gone = asyncio.Event()

    def _disconnected(participant: rtc.RemoteParticipant) -> None:
        if participant.identity == identity:
            gone.set()

    room.on("participant_disconnected", _disconnected)
    try:
        await asyncio.wait_for(gone.wait(), seconds)
        return True
    except TimeoutError:
        return False
    finally:
        room.off("participant_disconnected", _disconnected)
