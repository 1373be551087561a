"""The speech models of a call: OpenAI Realtime, or an STT -> LLM -> TTS pipeline."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypedDict

from livekit.agents import llm, stt, tts
from livekit.agents.types import NOT_GIVEN
from livekit.plugins import openai

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
    return SpeechModels(
        stt=openai.STT(model=settings.stt_model, base_url=base_url, api_key=api_key),
        llm=openai.LLM(model=settings.llm_model, base_url=base_url, api_key=api_key),
        tts=openai.TTS(
            model=settings.tts_model, voice=settings.tts_voice, base_url=base_url, api_key=api_key
        ),
    )
