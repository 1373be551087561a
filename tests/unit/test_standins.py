"""The speech stand-ins: ScriptedSTT is gated by real Silero VAD, ToneTTS speaks real audio."""

from __future__ import annotations

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import stt, vad
from livekit.plugins import silero

from testkit.standins import AUDIO_FIXTURES, ScriptedSTT, ToneTTS, read_wav, split_frame

# The Silero plugin's own default, the longest silence these stand-ins are gated with.
MIN_SILENCE = 0.55


@pytest.fixture(scope="module")
def silero_vad() -> vad.VAD:
    return silero.VAD.load(min_silence_duration=MIN_SILENCE)


def silence(seconds: float, sample_rate: int = 16000) -> rtc.AudioFrame:
    samples = round(seconds * sample_rate)
    return rtc.AudioFrame(bytes(2 * samples), sample_rate, 1, samples)


async def transcribe(
    scripted: ScriptedSTT, silero_vad: vad.VAD, *audio: rtc.AudioFrame
) -> list[stt.SpeechEvent]:
    """Push ``audio`` in 10 ms frames through the adapter AgentSession would build."""
    adapter = stt.StreamAdapter(stt=scripted, vad=silero_vad)
    stream = adapter.stream()
    for clip in audio:
        for frame in split_frame(clip, frame_ms=10):
            stream.push_frame(frame)
    stream.end_input()
    try:
        return [event async for event in stream]
    finally:
        await stream.aclose()
        await adapter.aclose()


async def test_stt_answers_once_when_vad_ends_the_utterance(silero_vad: vad.VAD) -> None:
    speech = read_wav(AUDIO_FIXTURES / "booking.wav")
    scripted = ScriptedSTT(["hello there"])

    events = await transcribe(scripted, silero_vad, speech, silence(1.0))

    finals = [e for e in events if e.type == stt.SpeechEventType.FINAL_TRANSCRIPT]
    assert [e.alternatives[0].text for e in finals] == ["hello there"]
    kinds = [e.type for e in events]
    assert kinds == [
        stt.SpeechEventType.START_OF_SPEECH,
        stt.SpeechEventType.END_OF_SPEECH,
        stt.SpeechEventType.FINAL_TRANSCRIPT,
    ]
    # One segment: the whole utterance (its pauses are shorter than MIN_SILENCE) plus the
    # silence the VAD waited for before ending it, and a little of the VAD's smoothing lag.
    [recognition] = scripted.calls
    assert recognition.sample_rate == 16000
    assert recognition.text == "hello there"
    hangover = recognition.audio_seconds - speech.duration
    assert MIN_SILENCE <= hangover <= MIN_SILENCE + 0.3
    assert scripted.remaining == []


async def test_stt_is_not_called_for_silence(silero_vad: vad.VAD) -> None:
    scripted = ScriptedSTT(["never said"])

    events = await transcribe(scripted, silero_vad, read_wav(AUDIO_FIXTURES / "silence.wav"))

    assert events == []
    assert scripted.calls == []
    assert scripted.remaining == ["never said"]


async def test_stt_exhausted_script_records_the_segment_but_adds_no_transcript(
    silero_vad: vad.VAD,
) -> None:
    scripted = ScriptedSTT()

    events = await transcribe(
        scripted, silero_vad, read_wav(AUDIO_FIXTURES / "confirm.wav"), silence(1.0)
    )

    assert all(e.type != stt.SpeechEventType.FINAL_TRANSCRIPT for e in events)
    assert [call.text for call in scripted.calls] == [""]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("a few words here", 0.3), (" ".join(["word"] * 20), 1.2), ("word " * 100, 4.0)],
)
async def test_tone_tts_speaks_a_tone_as_long_as_the_text(text: str, seconds: float) -> None:
    tone = ToneTTS()

    frames = [event.frame async for event in tone.synthesize(text)]

    audio = rtc.combine_audio_frames(frames)
    assert (audio.sample_rate, audio.num_channels) == (24000, 1)
    assert audio.duration == pytest.approx(seconds, abs=0.001)
    samples = np.frombuffer(audio.data, dtype=np.int16)
    assert np.count_nonzero(samples) > 0.9 * len(samples)
    assert np.abs(samples).max() == pytest.approx(0.2 * 32767, rel=0.01)
    assert tone.texts == [text]
