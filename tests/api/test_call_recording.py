"""A call's recording over HTTP: the call says how many it has, staff download each with the
key, and a call without one (recording off, or past retention) answers 404 saying so."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db.call_log import CallLog
from core.recordings.folder import RecordingFolder
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
