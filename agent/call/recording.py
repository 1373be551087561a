"""Recording a call's audio, only when RECORD_CALLS is on (docs/privacy.md, "Recording calls").

livekit-agents' own recorder (RecorderIO) writes both voices into `audio.ogg` in the job's
session directory as the call goes, the caller's on the left channel and the agent's on the
right, once `AgentSession.start(record=...)` asks for audio. At the job's end, after the session
has closed the file, it is moved under a random name into the recordings' store
(RECORDINGS_BUCKET or RECORDINGS_DIR, core/recordings) and linked to the call's record.

livekit-agents would also upload that file, with a report of the session, to an observability
endpoint if there is one: LiveKit Cloud's for a LIVEKIT_URL on LiveKit Cloud, or
LIVEKIT_OBSERVABILITY_URL's. With recording on, the worker refuses to start then, so that a
recording goes nowhere but that store.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from livekit.agents import JobContext
from livekit.agents.utils.misc import is_cloud
from livekit.agents.voice.agent_session import RecordingOptions

from agent.hooks.call_record import CallRecorder
from core.errors import RecordingsUnavailable, StartupError
from core.recordings import recording_store
from core.settings import Settings

logger = logging.getLogger(__name__)

# Where RecorderIO writes, in the job's session directory (livekit-agents' AgentSession.start).
RECORDER_FILE = "audio.ogg"


def record_option(settings: Settings) -> bool | RecordingOptions:
    """What `AgentSession.start(record=...)` is told: the audio alone when RECORD_CALLS is on
    (no transcript, traces or logs for an observability endpoint), else nothing at all."""
    if not settings.record_calls:
        return False
    return RecordingOptions(audio=True, transcript=False, traces=False, logs=False)


def check_recording(settings: Settings, environ: Mapping[str, str] = os.environ) -> None:
    """Refuse RECORD_CALLS where livekit-agents would upload the recordings elsewhere too."""
    if not settings.record_calls:
        return
    if environ.get("LIVEKIT_OBSERVABILITY_URL") or is_cloud(settings.livekit_url):
        raise StartupError(
            "RECORD_CALLS is on, but livekit-agents would also upload every recording to an "
            "observability endpoint (LIVEKIT_URL is on LiveKit Cloud, or "
            "LIVEKIT_OBSERVABILITY_URL is set); unset LIVEKIT_OBSERVABILITY_URL, or turn "
            "RECORD_CALLS off and use LiveKit Cloud's recording (docs/privacy.md)."
        )


async def keep_recording(ctx: JobContext, record: CallRecorder, settings: Settings) -> None:
    """At the job's end, before the call's record is finished: the recording moved into
    the recordings' store and linked to the call (queued on its record), if there is one."""
    # The session closed the file before the job's shutdown callbacks run.
    source = ctx.session_directory / RECORDER_FILE
    if not settings.record_calls or not source.is_file():
        return
    try:
        # A bucket's client loads boto3's service model: not on the event loop of a call.
        store = await asyncio.to_thread(recording_store, settings)
        name = await store.keep(source)
    except (OSError, RecordingsUnavailable) as exc:
        logger.error(
            "call recording not kept",
            extra={"session": record.state.session_id, "error": type(exc).__name__},
        )
        return
    record.put(lambda call_id: record.log.add_recording(call_id, name))
