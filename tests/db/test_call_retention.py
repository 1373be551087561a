"""The purge deletes calls' transcripts after restaurant.toml's transcript_days and clears the
caller ID; the call's outcome, counts and codes stay. Their recordings go with them, from a
folder or an S3-compatible bucket (a real SeaweedFS on loopback, testkit/s3.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from core.db.call_log import CallLog, no_facts
from core.errors import RecordingsUnavailable
from core.recordings import recording_store
from core.recordings.bucket import RecordingBucket
from core.recordings.folder import RecordingFolder
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.retention import purge_personal_data
from core.settings import Settings
from testkit.s3 import BUCKET, S3Server
from tests.support.retention import NOW


async def test_transcripts_are_kept_exactly_their_period_and_the_counts_stay(
    calls: CallService, call_log: CallLog, restaurant: Restaurant
) -> None:
    assert restaurant.retention.transcript_days == 30
    call_id = await call_log.open_call("room-1", "phone", "+6598207272")
    await call_log.add_line(call_id, NOW, "caller", "greeter", "A table for 4, Mei Ling")
    await call_log.add_line(call_id, NOW, "tool", "reservation", "booked K7M3QX for 4 on Sat 19:30")
    await call_log.note_facts(call_id, no_facts() | {"booked": ["K7M3QX"], "covers": 4})
    await call_log.end_call(call_id, caller_hung_up=True, failed=None)

    kept = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=29))
    assert kept.calls == 0
    found = await call_log.call(call_id)
    assert found is not None and len(found[1]) == 2 and found[0].caller_number == "+6598207272"

    purged = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31))
    assert purged.calls == 1
    found = await call_log.call(call_id)
    assert found is not None
    record, lines = found
    assert lines == [] and record.caller_number is None
    assert record.transcript_removed_at is not None and record.anonymised_at is not None
    # What the call did is still counted.
    assert (record.outcome, record.booked, record.covers_booked) == ("booked", ["K7M3QX"], 4)
    assert record.duration_seconds is not None
    # A second run finds nothing more to do.
    again = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31))
    assert again.calls == 0


async def test_recordings_go_with_their_transcripts(
    calls: CallService, call_log: CallLog, restaurant: Restaurant, tmp_path: Path
) -> None:
    folder = RecordingFolder(tmp_path / "recordings")
    call_id = await call_log.open_call("room-1", "phone", "+6598207272")
    names = []
    for part in (b"first agent", b"resumed call's agent"):
        source = tmp_path / "audio.ogg"
        source.write_bytes(part)
        names.append(await folder.keep(source))
        await call_log.add_recording(call_id, names[-1])
    other = await call_log.open_call("room-2", "web", None)
    assert await call_log.recordings(call_id) == names and await call_log.recordings(other) == []
    files = [folder.find(name) for name in names]
    assert all(path is not None and path.stat().st_mode & 0o777 == 0o600 for path in files)

    kept = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=29), folder)
    assert kept.recordings == 0 and await call_log.recordings(call_id) == names
    # Without the folder to delete them from, the purge keeps the links (no file is orphaned).
    unlinked = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31))
    assert unlinked.recordings == 0 and await call_log.recordings(call_id) == names

    purged = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31), folder)
    assert purged.recordings == 2
    assert await call_log.recordings(call_id) == []
    assert [folder.find(name) for name in names] == [None, None]
    assert list(folder.root.iterdir()) == []
    again = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31), folder)
    assert again.recordings == 0


@pytest.fixture
def bucket(recordings_bucket: str) -> RecordingBucket:
    """The store RECORDINGS_BUCKET names, as the API and the purge make it."""
    store = recording_store(Settings())
    assert isinstance(store, RecordingBucket)
    return store


async def test_recordings_in_a_bucket_go_with_their_transcripts(
    calls: CallService,
    call_log: CallLog,
    restaurant: Restaurant,
    tmp_path: Path,
    s3_server: S3Server,
    bucket: RecordingBucket,
) -> None:
    call_id = await call_log.open_call("room-1", "phone", "+6598207272")
    names = []
    for part in (b"first agent", b"resumed call's agent"):
        source = tmp_path / "audio.ogg"
        source.write_bytes(part)
        names.append(await bucket.keep(source))
        await call_log.add_recording(call_id, names[-1])
    store = s3_server.client()

    def objects() -> list[str]:
        listed = store.list_objects_v2(Bucket=BUCKET, Prefix=bucket.prefix)
        return sorted(
            item["Key"].removeprefix(bucket.prefix) for item in listed.get("Contents", [])
        )

    assert objects() == sorted(names)

    kept = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=29), bucket)
    assert kept.recordings == 0 and await call_log.recordings(call_id) == names
    assert objects() == sorted(names)

    purged = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31), bucket)
    assert purged.recordings == 2
    assert await call_log.recordings(call_id) == []
    assert objects() == []
    assert [await bucket.open(name) for name in names] == [None, None]
    again = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31), bucket)
    assert again.recordings == 0


async def test_a_bucket_that_refuses_a_delete_keeps_the_links_for_the_next_purge(
    calls: CallService,
    call_log: CallLog,
    restaurant: Restaurant,
    tmp_path: Path,
    s3_server: S3Server,
    recordings_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "audio.ogg"
    source.write_bytes(b"a call")
    name = await recording_store(Settings()).keep(source)
    call_id = await call_log.open_call("room-1", "phone", "+6598207272")
    await call_log.add_recording(call_id, name)

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-" + s3_server.secret_key)
    refused = recording_store(Settings())
    with pytest.raises(RecordingsUnavailable):
        await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31), refused)
    # The whole purge rolled back: the transcript and the link are still there.
    assert await call_log.recordings(call_id) == [name]

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    bucket = recording_store(Settings())
    purged = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=31), bucket)
    assert purged.recordings == 1 and await bucket.open(name) is None


async def test_a_recording_no_call_links_goes_at_the_transcripts_age(
    calls: CallService, restaurant: Restaurant, tmp_path: Path
) -> None:
    # Its call's record was never written (the database was down as the call ended).
    folder = RecordingFolder(tmp_path / "recordings")
    source = tmp_path / "audio.ogg"
    source.write_bytes(b"a call nobody linked")
    name = await folder.keep(source)
    not_ours = folder.root / "notes.txt"
    not_ours.write_text("the operator's own file")
    found = folder.find(name)
    assert found is not None
    # The file's time as the purge reads it (under libfaketime too).
    stored = datetime.fromtimestamp(found.stat().st_mtime, UTC)

    kept = await purge_personal_data(calls.store, restaurant, stored + timedelta(days=29), folder)
    assert kept.unlinked_recordings == 0 and folder.find(name) is not None

    purged = await purge_personal_data(calls.store, restaurant, stored + timedelta(days=31), folder)
    assert (purged.recordings, purged.unlinked_recordings) == (0, 1)
    assert folder.find(name) is None
    assert list(folder.root.iterdir()) == [not_ours]


async def test_a_recording_no_call_links_goes_from_the_bucket_at_the_transcripts_age(
    calls: CallService,
    restaurant: Restaurant,
    tmp_path: Path,
    s3_server: S3Server,
    bucket: RecordingBucket,
) -> None:
    source = tmp_path / "audio.ogg"
    source.write_bytes(b"a call nobody linked")
    name = await bucket.keep(source)
    store = s3_server.client()
    # Keys that are not our recordings: another name under the prefix, ours outside it.
    others = [bucket.prefix + "notes.txt", "elsewhere/" + name]
    for key in others:
        store.put_object(Bucket=BUCKET, Key=key, Body=b"the operator's own")

    def keys() -> list[str]:
        listed = store.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    stored = store.head_object(Bucket=BUCKET, Key=bucket.prefix + name)["LastModified"]
    kept = await purge_personal_data(calls.store, restaurant, stored + timedelta(days=29), bucket)
    assert kept.unlinked_recordings == 0 and bucket.prefix + name in keys()

    purged = await purge_personal_data(calls.store, restaurant, stored + timedelta(days=31), bucket)
    assert (purged.recordings, purged.unlinked_recordings) == (0, 1)
    assert await bucket.open(name) is None
    assert set(others) <= set(keys())
    for key in others:
        store.delete_object(Bucket=BUCKET, Key=key)


async def test_only_a_recordings_own_name_can_be_linked(call_log: CallLog) -> None:
    call_id = await call_log.open_call("room-1", "web", None)
    for name in ("../../etc/passwd.ogg", "+6598207272.ogg", "A" * 32 + ".ogg"):
        with pytest.raises(asyncpg.CheckViolationError):
            await call_log.add_recording(call_id, name)
    assert await call_log.recordings(call_id) == []
