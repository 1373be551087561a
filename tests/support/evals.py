"""What the evals share (tests/agent/test_evals*.py): a caller's turn, and the real model's
judgement of the agent's last words."""

from __future__ import annotations

from typing import Any

from livekit.agents import AgentSession, RunResult, llm

from agent.call.state import CallState


async def say(session: AgentSession[CallState], text: str) -> RunResult[None]:
    result: RunResult[None] = await session.run(user_input=text)
    return result


async def judge_last_reply(result: RunResult[None], model: llm.LLM[Any], intent: str) -> None:
    """The agent's last words in `result` must do what `intent` says, in `model`'s judgement."""
    await result.expect[-1].is_message(role="assistant").judge(model, intent=intent)
