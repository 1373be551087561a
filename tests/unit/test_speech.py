"""Which models a call gets."""

from __future__ import annotations

from livekit.plugins import openai

from agent.speech_models import speech_models
from core.settings import Settings


def test_realtime_mode_leaves_turn_detection_to_local_vad() -> None:
    models = speech_models(Settings(openai_api_key="sk-test", speech_mode="realtime"))
    model = models["llm"]
    assert isinstance(model, openai.realtime.RealtimeModel)
    # The server's own turn detection is off, so Silero VAD alone ends the caller's turns.
    assert model.capabilities.turn_detection is False
    assert "stt" not in models and "tts" not in models


def test_pipeline_mode_can_use_another_openai_compatible_server() -> None:
    settings = Settings(
        openai_api_key="local",
        speech_mode="pipeline",
        openai_base_url="http://127.0.0.1:9999/v1",
        llm_model="llama-3.1-8b-instruct",
    )
    models = speech_models(settings)
    assert isinstance(models["stt"], openai.STT)
    assert isinstance(models["llm"], openai.LLM) and models["llm"].model == "llama-3.1-8b-instruct"
    assert isinstance(models["tts"], openai.TTS)
    assert "127.0.0.1:9999" in str(models["llm"]._client.base_url)


def test_a_factory_can_supply_the_models() -> None:
    settings = Settings(speech_models_factory="tests.support.e2e_models:booking_call")
    assert set(speech_models(settings)) == {"stt", "llm", "tts"}
