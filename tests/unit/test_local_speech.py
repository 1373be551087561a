"""Local speech: faster-whisper and Piper behind livekit-agents' own STT and TTS interfaces.

Real models (the packaged Whisper tiny.en and Piper en_US-joe-medium), real VAD: the recognizer
is run the way a session runs it, through `stt.StreamAdapter` over 10 ms frames.
"""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import inference, stt
from livekit.plugins import openai

from agent.local_speech import PiperTTS, WhisperSTT
from agent.speech_models import speech_models
from core.errors import StartupError
from core.settings import Settings
from core.spoken.entities import resolve_time
from testkit.standins import split_frame
from testkit.voices import speak


def _local(**overrides: object) -> Settings:
    fields: dict[str, object] = {
        "openai_api_key": "sk-test",
        "speech_mode": "pipeline",
        "stt_provider": "local",
        "tts_provider": "local",
        **overrides,
    }
    return Settings(_env_file=None, **fields)  # type: ignore[arg-type]


def test_local_speech_hears_and_speaks_while_the_llm_stays_openai_compatible() -> None:
    models = speech_models(_local())
    assert isinstance(models["stt"], WhisperSTT) and models["stt"].model == "tiny.en"
    assert isinstance(models["tts"], PiperTTS) and models["tts"].sample_rate == 22050
    assert isinstance(models["llm"], openai.LLM)
    only_stt = speech_models(_local(tts_provider="openai"))
    assert isinstance(only_stt["stt"], WhisperSTT) and isinstance(only_stt["tts"], openai.TTS)


def test_local_speech_needs_the_pipeline_mode() -> None:
    with pytest.raises(ValueError, match="STT_PROVIDER=local needs SPEECH_MODE=pipeline"):
        Settings(_env_file=None, stt_provider="local", tts_provider="local")
    with pytest.raises(ValueError, match="TTS_PROVIDER=local needs SPEECH_MODE=pipeline"):
        Settings(_env_file=None, tts_provider="local")


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"local_stt_model": "/no/such/whisper"}, "LOCAL_STT_MODEL"),
        ({"local_tts_voice": "not a voice name"}, "LOCAL_TTS_VOICE"),
    ],
)
def test_a_model_that_cannot_load_names_its_setting(
    overrides: dict[str, object], variable: str, tmp_path: Path
) -> None:
    with pytest.raises(StartupError, match=f"^{variable}=.+: cannot load it"):
        speech_models(_local(local_speech_cache=tmp_path, **overrides))


async def test_whisper_hears_a_caller_through_the_vad_adapter() -> None:
    line = speak("Half past seven, please.", sample_rate=48000)
    silence = rtc.AudioFrame(bytes(48000 * 2), 48000, 1, 48000)
    adapter = stt.StreamAdapter(
        stt=WhisperSTT("tiny.en", cache=Path("unused")), vad=inference.VAD()
    )
    stream = adapter.stream()
    for frame in split_frame(rtc.combine_audio_frames([silence, line, silence])):
        stream.push_frame(frame)
    stream.end_input()

    async def finals() -> list[str]:
        return [
            event.alternatives[0].text
            async for event in stream
            if event.type == stt.SpeechEventType.FINAL_TRANSCRIPT
        ]

    heard = await asyncio.wait_for(finals(), timeout=120)
    await adapter.aclose()
    # One segment (a pause as short as a comma's can end one: VAD_MIN_SILENCE_SECONDS).
    assert len(heard) == 1
    assert resolve_time(heard[0].removesuffix(", please."), [(time(11), time(22))]) == time(19, 30)


async def test_piper_speaks_a_reply() -> None:
    voice = PiperTTS("en_US-joe-medium", cache=Path("unused"))
    async with voice.synthesize("Your table is booked.") as stream:
        frames = [event.frame async for event in stream]
    audio = rtc.combine_audio_frames(frames)
    assert audio.sample_rate == 22050 and 1.0 < audio.duration < 4.0
    assert np.abs(np.frombuffer(audio.data, dtype=np.int16)).max() > 1000
