"""The speech models of a call: OpenAI Realtime, or an STT -> LLM -> TTS pipeline.

In the pipeline mode speech may be local (agent/local_speech.py): faster-whisper and Piper on the
worker's CPU, with any OpenAI-compatible language model doing the thinking.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypedDict

from livekit.agents import llm, stt, tts
from livekit.agents.types import NOT_GIVEN
from livekit.plugins import openai

from core.errors import StartupError
from core.settings import Settings


class SpeechModels(TypedDict, total=False):
    """Keyword arguments for `AgentSession`: which models hear, think and speak."""

    stt: stt.STT[Any]
    llm: llm.LLM[Any] | llm.RealtimeModel
    tts: tts.TTS[Any]


def speech_models(settings: Settings) -> SpeechModels:
    if settings.speech_models_factory:
        module, _, name = settings.speech_models_factory.partition(":")
        factory: Callable[[Settings], SpeechModels] = getattr(importlib.import_module(module), name)
        return factory(settings)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    base_url = settings.openai_base_url or NOT_GIVEN
    if settings.speech_mode == "realtime":
        # turn_detection=None switches the server's own turn detection off: local Silero VAD
        # decides when the caller has finished, the same in every mode.
        return SpeechModels(
            llm=openai.realtime.RealtimeModel(
                model=settings.realtime_model,
                voice=settings.realtime_voice,
                turn_detection=None,
                base_url=base_url,
                api_key=key,
            )
        )
    api_key = key or NOT_GIVEN
    models = SpeechModels(
        stt=openai.STT(model=settings.stt_model, base_url=base_url, api_key=api_key),
        llm=openai.LLM(model=settings.llm_model, base_url=base_url, api_key=api_key),
        tts=openai.TTS(
            model=settings.tts_model, voice=settings.tts_voice, base_url=base_url, api_key=api_key
        ),
    )
    models.update(local_speech(settings))
    return models


def local_speech(settings: Settings) -> SpeechModels:
    """The local speech models the settings choose (none, either or both), loaded once a process.

    Non-streaming, so the session runs the STT through `stt.StreamAdapter` with its VAD and the
    TTS through `tts.StreamAdapter`, sentence by sentence.
    """
    if "local" not in (settings.stt_provider, settings.tts_provider):
        return SpeechModels()
    try:
        from agent.local_speech import PiperTTS, WhisperSTT
    except ImportError:
        raise StartupError(
            "STT_PROVIDER=local and TTS_PROVIDER=local need the local-speech extra: "
            "uv sync --extra local-speech"
        ) from None
    cache = settings.local_speech_cache
    models = SpeechModels()
    loading = f"LOCAL_STT_MODEL={settings.local_stt_model}"
    try:
        if settings.stt_provider == "local":
            threads = settings.local_stt_threads
            models["stt"] = WhisperSTT(settings.local_stt_model, cache=cache, threads=threads)
        loading = f"LOCAL_TTS_VOICE={settings.local_tts_voice}"
        if settings.tts_provider == "local":
            models["tts"] = PiperTTS(settings.local_tts_voice, cache=cache)
    # A name that is no model, a folder that holds none, or a fetch that failed.
    except (OSError, ValueError, RuntimeError) as problem:
        raise StartupError(
            f"{loading}: cannot load it: neither a model on this machine nor one that could be "
            f"fetched ({type(problem).__name__})"
        ) from None
    return models
