"""A call's recording over HTTP: the call says how many it has, staff download each with the
key, and a call without one (recording off, or past retention) answers 404 saying so; from a
folder, or streamed from an S3-compatible bucket (a real SeaweedFS on loopback, testkit/s3.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from core.db.call_log import CallLog
from core.recordings import CHUNK_BYTES, recording_store
from core.recordings.bucket import RecordingBucket
from core.recordings.folder import RecordingFolder
from core.settings import Settings
from testkit.s3 import BUCKET, S3Server
from tests.support.api import AUTH, served

AUDIO = b"OggS\x00\x02 both voices"


async def test_staff_download_a_calls_recording_and_only_with_the_key(
    call_log: CallLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_env: None
) -> None:
    folder = tmp_path / "recordings"
    monkeypatch.setenv("RECORDINGS_DIR", str(folder))
    recorded = await call_log.open_call("room-recorded", "web", None)
    source = tmp_path / "audio.ogg"
    source.write_bytes(AUDIO)
    await call_log.add_recording(recorded, await RecordingFolder(folder).keep(source))
    silent = await call_log.open_call("room-not-recorded", "web", None)

    async with served() as client:
        found = (await client.get(f"/api/calls/{recorded}", headers=AUTH)).json()
        assert found["recordings"] == 1
        got = await client.get(f"/api/calls/{recorded}/recording", headers=AUTH)
        assert got.status_code == 200 and got.content == AUDIO
        assert got.headers["content-type"] == "audio/ogg"
        assert f"call-{recorded}-1.ogg" in got.headers["content-disposition"]

        assert (await client.get(f"/api/calls/{recorded}/recording")).status_code == 401
        assert (await client.get(f"/api/calls/{silent}", headers=AUTH)).json()["recordings"] == 0
        for path in (
            f"/api/calls/{silent}/recording",
            f"/api/calls/{recorded}/recording?part=2",
            "/api/calls/999999/recording",
        ):
            answer = await client.get(path, headers=AUTH)
            assert answer.status_code == 404 and answer.json()["detail"], path
        bad = await client.get(f"/api/calls/{recorded}/recording?part=0", headers=AUTH)
        assert bad.status_code == 422 and bad.json()["detail"]

        # A file already deleted (a purge that did not commit) is no recording either.
        for kept in folder.iterdir():
            kept.unlink()
        gone = await client.get(f"/api/calls/{recorded}/recording", headers=AUTH)
        assert gone.status_code == 404


async def test_staff_download_a_recording_kept_in_a_bucket(
    call_log: CallLog,
    tmp_path: Path,
    s3_server: S3Server,
    recordings_bucket: str,
    api_env: None,
) -> None:
    bucket = recording_store(Settings())
    assert isinstance(bucket, RecordingBucket)
    # Larger than one chunk, so the answer is streamed in pieces.
    audio = AUDIO + secrets.token_bytes(3 * CHUNK_BYTES)
    source = tmp_path / "audio.ogg"
    source.write_bytes(audio)
    name = await bucket.keep(source)
    assert not source.exists()
    key = bucket.prefix + name
    stored = s3_server.client().get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == audio and stored["ContentType"] == "audio/ogg"
    recorded = await call_log.open_call("room-recorded-in-bucket", "web", None)
    await call_log.add_recording(recorded, name)

    async with served() as client:
        got = await client.get(f"/api/calls/{recorded}/recording", headers=AUTH)
        assert got.status_code == 200 and got.content == audio
        assert got.headers["content-type"] == "audio/ogg"
        assert got.headers["content-length"] == str(len(audio))
        assert f"call-{recorded}-1.ogg" in got.headers["content-disposition"]
        # Never a link to the bucket: the bytes come through the API, behind the key.
        assert s3_server.endpoint not in got.text and "X-Amz" not in got.text
        assert (await client.get(f"/api/calls/{recorded}/recording")).status_code == 401
        for bad, code in (("part=2", 404), ("part=0", 422), ("part=x", 422)):
            answer = await client.get(f"/api/calls/{recorded}/recording?{bad}", headers=AUTH)
            assert answer.status_code == code and answer.json()["detail"], bad

        # An object already deleted (a purge that did not commit) is no recording either.
        s3_server.client().delete_object(Bucket=BUCKET, Key=key)
        gone = await client.get(f"/api/calls/{recorded}/recording", headers=AUTH)
        assert gone.status_code == 404 and "no such recording" in gone.json()["detail"]


async def test_a_bucket_that_refuses_answers_503_naming_no_secret(
    call_log: CallLog,
    s3_server: S3Server,
    recordings_bucket: str,
    api_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded = await call_log.open_call("room-recorded-wrong-key", "web", None)
    await call_log.add_recording(recorded, "0" * 32 + ".ogg")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-" + s3_server.secret_key)
    async with served() as client:
        answer = await client.get(f"/api/calls/{recorded}/recording", headers=AUTH)
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert "SignatureDoesNotMatch" in detail or "AccessDenied" in detail, detail
    assert s3_server.secret_key not in answer.text and s3_server.endpoint not in answer.text
