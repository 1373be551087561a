"""The voice worker: `python -m agent dev|start|console`."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import asyncpg
from dotenv import load_dotenv
from livekit.agents import AgentSession, JobContext, JobProcess, cli, room_io

from agent.call.limits import attach_call_limits, session_options
from agent.call.recording import check_recording, keep_recording, record_option
from agent.call.room_messages import RoomNotifier
from agent.call.start import caller_key, new_call, resume
from agent.call.state import CallLimits, CallState
from agent.hooks.call_record import attach_call_record
from agent.hooks.handoff_log import attach_handoff_log
from agent.hooks.metrics import attach_metrics, log_usage
from agent.hooks.prometheus import CallMetrics
from agent.phone.line import attach_phone_line, phone_line
from agent.speech_models import local_speech, speech_models
from agent.turns.detection import attach_turn_taking, load_vad, turn_handling
from agent.worker import ReceptionWorker
from core.db.call_log import CallLog
from core.db.call_records import CallRecords
from core.db.pool import create_pool
from core.db.proofs import ProofRecords
from core.db.reservations import ReservationStore
from core.errors import StartupError
from core.logs import drop_personal_fields
from core.restaurant import load_restaurant
from core.services.calls import CallService
from core.services.proofs import FailedProofs, ProofLimit
from core.services.reservations import ReservationService
from core.settings import Settings, get_settings
from core.startup import start_up

logger = logging.getLogger("agent")


def prewarm(proc: JobProcess) -> None:
    # Once per process, before any call: loading a VAD takes longer than a caller should wait.
    drop_personal_fields()
    settings = get_settings()
    proc.userdata["vad"] = load_vad(settings)
    # Local speech models load here too (once a process, seconds each), not in a caller's call.
    local_speech(settings)
    proc.userdata["restaurant"] = load_restaurant(settings.restaurant_config)


async def entrypoint(ctx: JobContext) -> None:
    settings = get_settings()
    pool = await open_pool(settings)
    restaurant = ctx.proc.userdata["restaurant"]
    timeout = settings.db_timeout_seconds
    service = ReservationService(ReservationStore(pool, timeout=timeout), restaurant)
    calls = CallService(CallRecords(pool, timeout=timeout))
    proofs = FailedProofs(ProofRecords(pool, timeout=timeout), ProofLimit.from_settings(settings))
    state = new_call(
        service,
        calls,
        proofs,
        session_id=ctx.room.name,
        notify=RoomNotifier(ctx.room),
        limits=CallLimits.of(settings),
    )
    state.recorded = settings.record_calls
    # The fault tests find a call's job process by this line.
    logger.info("call started", extra={"session": state.session_id, "pid": os.getpid()})
    # The caller is in the room when the job starts (they made it); a phone caller is a SIP
    # participant, and their line changes the session's options and tools.
    caller = await ctx.wait_for_participant()
    # Who this is decides what a call picked up again may trust of what it booked.
    state.caller_key = caller_key(ctx.job.room.sid, caller.identity)
    await resume(state)
    line = phone_line(caller, restaurant, settings)
    session = AgentSession[CallState](
        userdata=state,
        vad=ctx.proc.userdata["vad"],
        turn_handling=turn_handling(settings),
        **speech_models(settings),
        **session_options(line is not None, settings),
    )
    attach_metrics(session, state.session_id)
    attach_handoff_log(session)
    attach_turn_taking(session, settings)
    attach_call_limits(session, settings.max_call_seconds)
    if line is not None:
        await attach_phone_line(session, line)
    # After the phone line, which knows the caller's number.
    record = attach_call_record(
        session, CallLog(pool, timeout=timeout), "web" if line is None else "phone"
    )

    async def summarise_usage() -> None:
        log_usage(session, state.session_id)

    metrics = CallMetrics(session, record)

    async def close() -> None:
        # In this order (livekit runs shutdown callbacks side by side): the recording kept and
        # linked, the call's record written and counted by its outcome, its pool closed.
        await keep_recording(ctx, record, settings)
        await metrics.ended()
        await pool.close()

    ctx.add_shutdown_callback(summarise_usage)
    ctx.add_shutdown_callback(close)
    await session.start(
        agent=state.agents["greeter"],
        room=ctx.room,
        # A room is one call: once the caller hangs up, end it at once rather than holding this
        # job process until the room's departure timeout.
        room_options=room_io.RoomOptions(delete_room_on_close=True),
        # Said here, not left to the server's per-job flag: livekit-agents records audio,
        # transcript, traces and logs for LiveKit Cloud's observability unless told not to
        # (docs/privacy.md). The call's record for staff is this project's own; its audio only
        # with RECORD_CALLS (agent/call/recording.py).
        record=record_option(settings),
    )


async def open_pool(settings: Settings) -> asyncpg.Pool:
    """The call's pool: a connection only while the call uses the database.

    livekit-agents runs each call in a job process of its own (JobExecutorType.PROCESS; a job
    process serves one job, then exits), so no pool outlives a call, and asyncpg pools cannot
    be shared between the event loops of threaded jobs either. Instead the pool starts empty and
    closes a connection idle for WORKER_DB_IDLE_SECONDS: a call holds one only around its tool
    calls, and concurrent calls hold a fraction of that many (docs/scaling.md). A database that
    is down at call start costs nothing until a tool needs it; the agent then tells the caller.
    """
    return await create_pool(
        os.environ["DATABASE_URL"],
        min_size=0,
        max_size=2,
        timeout=settings.db_timeout_seconds,
        idle_seconds=settings.worker_db_idle_seconds,
    )


def main() -> None:
    # The LiveKit CLI reads LIVEKIT_* from the environment, and pydantic-settings does not
    # export .env there, so load it first.
    load_dotenv()
    drop_personal_fields()
    try:
        settings = get_settings()
    except StartupError as problem:
        sys.exit(str(problem))
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        sys.exit(
            "Set OPENAI_API_KEY (in the environment or .env) to start the voice worker; "
            "for a self-hosted OpenAI-compatible server in pipeline mode any value will do."
        )
    try:
        # Checked here, once, so that a mistake is one clear line, not an error in every job.
        check_recording(settings)
        started = asyncio.run(start_up(settings))
        # A local model that cannot load (or be fetched) stops the worker here, naming its setting.
        local = local_speech(settings)
    except StartupError as problem:
        sys.exit(str(problem))
    # Job processes inherit this, so they all use the same (possibly embedded) database.
    os.environ["DATABASE_URL"] = started.database_url
    server = ReceptionWorker(
        settings,
        load_threshold=settings.worker_load_threshold,
        host=settings.worker_host,
        port=settings.worker_port,
        max_retry=sys.maxsize if settings.worker_max_retry is None else settings.worker_max_retry,
        # Each job process loads the local models in prewarm: seconds more on a busy machine
        # than livekit's 10 s allowance.
        initialize_process_timeout=60.0 if local else 10.0,
    )
    server.setup_fnc = prewarm
    server.rtc_session(entrypoint, agent_name=settings.agent_name)
    try:
        cli.run_app(server)
    finally:
        # livekit's CLI exits with status 0 even then; a supervisor must see a failure.
        if server.gave_up:
            sys.exit("The voice worker gave up reaching LiveKit; see the log above.")
