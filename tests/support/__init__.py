"""Test-only stand-ins (no network, no real models)."""

from .scripted_llm import (
    Call,
    Request,
    Rule,
    Say,
    ScriptedLLM,
    ScriptError,
    Step,
    call,
    say,
)
from .standins import AUDIO_FIXTURES, Recognition, ScriptedSTT, ToneTTS, read_wav, split_frame

__all__ = [
    "AUDIO_FIXTURES",
    "Call",
    "Recognition",
    "Request",
    "Rule",
    "ScriptError",
    "ScriptedLLM",
    "ScriptedSTT",
    "Say",
    "Step",
    "ToneTTS",
    "call",
    "read_wav",
    "say",
    "split_frame",
]
