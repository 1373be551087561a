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

__all__ = ["Call", "Request", "Rule", "ScriptError", "ScriptedLLM", "Say", "Step", "call", "say"]
