"""Recording calls (RECORD_CALLS): on, the greeting says the call is recorded, and the call's
record links a recording, kept in RECORDINGS_DIR or an S3-compatible bucket (RECORDINGS_BUCKET,
a real SeaweedFS on loopback: testkit/s3.py) and served to staff, that holds both voices;
off (the default), nothing is recorded. Real WebRTC, livekit-server and worker; the caller
speaks the espeak fixtures, the agent a scripted model's lines in tones."""

from __future__ import annotations

from pathlib import Path

import av
import httpx
import numpy as np

from core.db.call_log import CallLog
from testkit.caller import Caller
from testkit.s3 import BUCKET, S3Server
from testkit.stack import API_KEY
from tests.support.e2e_models import RECORDED
from tests.support.stacks import Deployment, Stack, book_and_hear_the_code, until, until_async

AUTH = {"Authorization": f"Bearer {API_KEY}"}
# A 20 ms window louder than -40 dBFS is voiced; the silence the recorder writes is zeros.
WINDOW_SECONDS = 0.02
VOICED_RMS = 0.01


def voiced_seconds(path: Path) -> tuple[list[float], list[float]]:
    """When each voiced window starts, in seconds, on the left (caller's) and right (agent's)
    channel of an Ogg Opus recording."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus" and stream.channels == 2
        rate = stream.rate
        blocks = [frame.to_ndarray() for frame in container.decode(stream)]
    # fltp: one row per channel; a packed layout would interleave them.
    samples = np.concatenate([b if b.shape[0] == 2 else b.reshape(-1, 2).T for b in blocks], 1)
    window = int(rate * WINDOW_SECONDS)
    count = samples.shape[1] // window
    windows = samples[:, : count * window].reshape(2, count, window).astype(np.float64)
    loud = np.sqrt((windows**2).mean(axis=2)) > VOICED_RMS
    left, right = ([float(i * WINDOW_SECONDS) for i in np.flatnonzero(row)] for row in loud)
    return left, right


async def call_and_book(api_base: str) -> Caller:
    caller = Caller()
    try:
        await caller.join(api_base)
        await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting")
        # The whole greeting first, so that the recording's order can be told (a caller who
        # talks over it is recorded over it).
        await until(
            lambda: "speaking" in caller.agent_states and caller.agent_states[-1] == "listening",
            "the greeting's end",
            20,
        )
        await book_and_hear_the_code(caller)
    finally:
        await caller.leave()
    return caller


async def recorded_call(
    deployment: Deployment, call_log: CallLog, tmp_path: Path
) -> tuple[str, Path]:
    """A booking call to `deployment`, announced as recorded; its recording, linked once and
    downloaded by staff through the API, checked to hold both voices in their order. Its name
    and the downloaded file."""
    caller = await call_and_book(deployment.api_base)
    assert caller.said_by("agent")[0] == RECORDED

    call_id = await call_log.call_of_session(caller.room.name)
    assert call_id is not None

    async def linked() -> bool:
        return bool(await call_log.recordings(call_id))

    # Linked at the job's end, once the session has closed the file.
    await until_async(linked, "the call's recording to be linked", 60)
    async with httpx.AsyncClient(base_url=deployment.api_base, headers=AUTH) as staff:
        assert (await staff.get(f"/api/calls/{call_id}")).json()["recordings"] == 1
        answer = await staff.get(f"/api/calls/{call_id}/recording")
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/ogg"
    downloaded = tmp_path / "call.ogg"
    downloaded.write_bytes(answer.content)

    caller_voiced, agent_voiced = voiced_seconds(downloaded)
    # The caller said 6.2 s of speech (booking.wav, confirm.wav), with its pauses between words.
    assert 3.0 < len(caller_voiced) * WINDOW_SECONDS < 8.0, len(caller_voiced)
    # The agent greeted, read the booking back and said its code.
    assert len(agent_voiced) * WINDOW_SECONDS > 2.0, len(agent_voiced)
    # In the order they spoke: the whole greeting before the caller said anything.
    pairs = zip(agent_voiced, agent_voiced[1:], strict=False)
    greeting_end = next(t for t, after in pairs if after - t > 1)
    assert agent_voiced[0] < greeting_end < caller_voiced[0], (agent_voiced, caller_voiced)
    names = await call_log.recordings(call_id)
    assert names is not None and len(names) == 1
    return names[0], downloaded


async def test_a_recorded_call_is_announced_kept_linked_and_holds_both_voices(
    recording: Deployment, call_log: CallLog, tmp_path: Path
) -> None:
    await recorded_call(recording, call_log, tmp_path)


async def test_a_call_recorded_into_a_bucket_is_kept_there_linked_and_holds_both_voices(
    recording_in_bucket: tuple[Deployment, str],
    call_log: CallLog,
    s3_server: S3Server,
    tmp_path: Path,
) -> None:
    deployment, bucket = recording_in_bucket
    name, downloaded = await recorded_call(deployment, call_log, tmp_path)

    # The one object under the bucket's prefix is the linked recording, byte for byte.
    prefix = bucket.removeprefix(f"s3://{BUCKET}/") + "/"
    store = s3_server.client()
    listed = store.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    assert [item["Key"] for item in listed] == [prefix + name]
    stored = store.get_object(Bucket=BUCKET, Key=prefix + name)
    assert stored["Body"].read() == downloaded.read_bytes()
    assert stored["ContentType"] == "audio/ogg"


async def test_a_call_is_not_recorded_by_default(stack: Stack, call_log: CallLog) -> None:
    caller = Caller()
    try:
        await caller.join(stack.api_base)
        await until(lambda: bool(caller.said_by("agent")), "the agent's greeting")
        greeting = caller.said_by("agent")
    finally:
        await caller.leave()
    assert greeting and "recorded" not in greeting[0]

    async def ended() -> bool:
        call_id = await call_log.call_of_session(caller.room.name)
        found = None if call_id is None else await call_log.call(call_id)
        return found is not None and found[0].ended_at is not None

    # The job's end, when a recording would have been kept and linked.
    await until_async(ended, "the call's record to end", 60)
    call_id = await call_log.call_of_session(caller.room.name)
    assert call_id is not None and await call_log.recordings(call_id) == []
    assert not (stack.workdir / "recordings").exists()
    async with httpx.AsyncClient(base_url=stack.api_base, headers=AUTH) as staff:
        assert (await staff.get(f"/api/calls/{call_id}/recording")).status_code == 404
