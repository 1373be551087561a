"""What the worker tells livekit-agents to record with each RECORD_CALLS, and where it refuses
recording because livekit-agents would upload it elsewhere too."""

from __future__ import annotations

import pytest

from agent.call.recording import check_recording, record_option
from core.errors import StartupError
from core.settings import Settings


def test_off_records_nothing_and_on_only_the_audio() -> None:
    assert record_option(Settings()) is False
    assert record_option(Settings(record_calls=True)) == {
        "audio": True,
        "transcript": False,
        "traces": False,
        "logs": False,
    }


@pytest.mark.parametrize(
    ("url", "environ"),
    [
        ("wss://restaurant-abc123.livekit.cloud", {}),
        ("ws://127.0.0.1:7880", {"LIVEKIT_OBSERVABILITY_URL": "https://observe.example.com"}),
    ],
)
def test_recording_is_refused_where_livekit_agents_would_upload_it(
    url: str, environ: dict[str, str]
) -> None:
    with pytest.raises(StartupError, match="RECORD_CALLS.*LIVEKIT_OBSERVABILITY_URL"):
        check_recording(Settings(record_calls=True, livekit_url=url), environ)
    # Off, livekit-agents is told to record nothing, so there is nothing to upload.
    check_recording(Settings(record_calls=False, livekit_url=url), environ)


def test_recording_on_a_self_hosted_server_goes_nowhere_else() -> None:
    check_recording(Settings(record_calls=True, livekit_url="wss://lk.example.com"), {})
