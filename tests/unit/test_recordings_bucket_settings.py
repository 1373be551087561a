"""Where recordings are kept, by settings: a folder by default, a bucket when RECORDINGS_BUCKET
names one; a bucket setting that cannot be right is refused at start-up, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StartupError
from core.recordings import recording_store
from core.recordings.bucket import RecordingBucket
from core.recordings.folder import RecordingFolder
from tests.support.settings import settings_from


def test_a_folder_unless_a_bucket_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = recording_store(settings_from(monkeypatch, RECORDINGS_DIR=str(tmp_path)))
    assert folder == RecordingFolder(tmp_path)

    monkeypatch.delenv("RECORDINGS_DIR")
    bucket = recording_store(
        settings_from(
            monkeypatch,
            RECORDINGS_BUCKET="s3://calls-example/restaurant/recordings/",
            RECORDINGS_S3_ENDPOINT="http://127.0.0.1:9000",
            RECORDINGS_S3_REGION="eu-west-1",
        )
    )
    assert isinstance(bucket, RecordingBucket)
    assert (bucket.bucket, bucket.prefix) == ("calls-example", "restaurant/recordings/")
    assert bucket.client.meta.endpoint_url == "http://127.0.0.1:9000"
    assert bucket.client.meta.region_name == "eu-west-1"
    # Empty, as in a .env file: no bucket.
    monkeypatch.setenv("RECORDINGS_BUCKET", "")
    monkeypatch.delenv("RECORDINGS_S3_ENDPOINT")
    monkeypatch.delenv("RECORDINGS_S3_REGION")
    assert isinstance(recording_store(settings_from(monkeypatch)), RecordingFolder)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"RECORDINGS_BUCKET": "calls"}, "RECORDINGS_BUCKET: 'calls' is not a bucket"),
        ({"RECORDINGS_BUCKET": "https://calls.s3.amazonaws.com"}, "is not a bucket"),
        ({"RECORDINGS_BUCKET": "s3://Calls"}, "is not a bucket"),
        ({"RECORDINGS_BUCKET": "s3://ab"}, "is not a bucket"),
        # A prefix that climbs out of itself, or has an empty part.
        ({"RECORDINGS_BUCKET": "s3://calls/a/../b"}, "is not a bucket"),
        ({"RECORDINGS_BUCKET": "s3://calls//a"}, "is not a bucket"),
        ({"RECORDINGS_BUCKET": "s3://calls/a?versionId=1"}, "is not a bucket"),
        (
            {"RECORDINGS_BUCKET": "s3://calls", "RECORDINGS_DIR": "/srv/recordings"},
            "set RECORDINGS_BUCKET or RECORDINGS_DIR, not both",
        ),
        (
            {"RECORDINGS_BUCKET": "s3://calls", "RECORDINGS_S3_ENDPOINT": "http://s3.example.com"},
            "RECORDINGS_S3_ENDPOINT: use an https:// URL",
        ),
        (
            {
                "RECORDINGS_BUCKET": "s3://calls",
                "RECORDINGS_S3_ENDPOINT": "https://s3.example.com/x",
            },
            "RECORDINGS_S3_ENDPOINT: give the store's address alone",
        ),
        (
            {"RECORDINGS_BUCKET": "s3://calls", "RECORDINGS_S3_ENDPOINT": "s3.example.com"},
            "RECORDINGS_S3_ENDPOINT",
        ),
        ({"RECORDINGS_BUCKET": "s3://calls", "RECORDINGS_S3_REGION": "EU West"}, "REGION"),
        ({"RECORDINGS_BUCKET": "s3://calls", "RECORDINGS_S3_ENCRYPTION": "yes"}, "ENCRYPTION"),
        (
            {"RECORDINGS_S3_ENDPOINT": "https://s3.example.com"},
            "RECORDINGS_S3_ENDPOINT is set, but RECORDINGS_BUCKET names no bucket",
        ),
    ],
)
def test_a_bucket_that_cannot_be_right_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], problem: str
) -> None:
    with pytest.raises(StartupError, match="^Fix these settings: ") as refused:
        settings_from(monkeypatch, **env)
    assert problem in str(refused.value)


def test_the_bucket_url_is_kept_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("s3://calls", "s3://calls/", "s3://my.calls-2026/a_b/c.d"):
        assert settings_from(monkeypatch, RECORDINGS_BUCKET=url).recordings_bucket == url
