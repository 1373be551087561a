"""A scripted, offline chat model for ``AgentSession(llm=ScriptedLLM([...]))`` tests.

Every ``chat()`` request is recorded (:attr:`ScriptedLLM.requests`), classified by what
triggered it (a user turn, tool outputs coming back, or ``generate_reply(instructions=...)``)
and answered by the first matching :class:`Rule` with text and/or tool calls. Rules name
the agent they apply to by its id (``agent="reservation"``), never by a phrase of its
instructions, so rewording a prompt breaks no test. Unmatched
tool outputs are echoed back as the reply; any other unmatched request, or a call to a tool
the request does not offer, raises :class:`ScriptError` out of ``await session.run(...)``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from livekit.agents import llm
from livekit.agents.types import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    APIConnectOptions,
    NotGivenOr,
)
from livekit.agents.utils import is_given
from livekit.agents.voice.agent_activity import _AgentActivityContextVar

Matcher = str | re.Pattern[str]
"""A ``str`` matches as a case-insensitive substring, a compiled pattern with ``search``."""
TurnKind = Literal["user", "tool_output", "instructions", "other"]

_AGENT_INSTRUCTIONS_ID = "lk.agent_task.instructions"
_SKIPPED_TYPES = ("agent_handoff", "agent_config_update")


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Call:
    tool: str
    arguments: Mapping[str, Any]


Step = Say | Call
Responder = Callable[["Request"], Sequence[Step]]


def say(text: str) -> Say:
    return Say(text)


def call(tool: str, /, **arguments: Any) -> Call:
    """A tool call; list it twice in ``then`` to make the model repeat it in one turn."""
    return Call(tool, arguments)


class ScriptError(AssertionError):
    """The script does not cover a request, or a step breaks the request's constraints."""


def _matches(matcher: Matcher | None, text: str) -> bool:
    if matcher is None:
        return True
    if isinstance(matcher, str):
        return matcher.casefold() in text.casefold()
    return matcher.search(text) is not None


@dataclass(frozen=True)
class Request:
    """One recorded ``chat()`` call: a copy of the context and the tools offered."""

    chat_ctx: llm.ChatContext
    tools: tuple[llm.Tool, ...]
    tool_choice: llm.ToolChoice | None
    # The id of the agent whose turn this is (livekit's ``Agent.id``), None outside a session.
    agent: str | None = None

    @property
    def tool_names(self) -> list[str]:
        return [tool.id for tool in self.tools]

    @property
    def instructions(self) -> str:
        """The current agent's instructions (its ``lk.agent_task.instructions`` message)."""
        item = self.chat_ctx.get_by_id(_AGENT_INSTRUCTIONS_ID)
        return (item.text_content or "") if isinstance(item, llm.ChatMessage) else ""

    def texts(self, role: llm.ChatRole) -> list[str]:
        return [
            item.text_content or ""
            for item in self.chat_ctx.items
            if isinstance(item, llm.ChatMessage) and item.role == role
        ]

    @property
    def tool_outputs(self) -> list[llm.FunctionCallOutput]:
        """The tool outputs this request answers (empty unless ``kind == "tool_output"``)."""
        outputs: list[llm.FunctionCallOutput] = []
        for item in reversed(self._conversation()):
            if isinstance(item, llm.FunctionCallOutput):
                outputs.insert(0, item)
            elif not isinstance(item, llm.FunctionCall):
                break
        return outputs

    @property
    def kind(self) -> TurnKind:
        items = self._conversation()
        last = items[-1] if items else None
        if isinstance(last, llm.FunctionCallOutput):
            return "tool_output"
        if isinstance(last, llm.ChatMessage) and last.role in ("user", "system"):
            return "user" if last.role == "user" else "instructions"
        return "other"

    @property
    def trigger(self) -> str:
        """The user text, the tool outputs, or the per-turn instructions, by ``kind``."""
        if self.kind == "tool_output":
            return "\n".join(out.output for out in self.tool_outputs)
        items = self._conversation()
        if self.kind in ("user", "instructions") and isinstance(items[-1], llm.ChatMessage):
            return items[-1].text_content or ""
        return ""

    def describe(self) -> str:
        return (
            f"request(kind={self.kind!r}, trigger={self.trigger!r}, tools={self.tool_names}, "
            f"tool_choice={self.tool_choice!r}, agent={self.agent!r})"
        )

    def _conversation(self) -> list[llm.ChatItem]:
        """Items without framework bookkeeping (``lk.*`` system messages, handoff markers)."""
        return [
            item
            for item in self.chat_ctx.items
            if item.type not in _SKIPPED_TYPES
            and not (isinstance(item, llm.ChatMessage) and item.id.startswith("lk."))
        ]


@dataclass
class Rule:
    """Answer with ``then`` when every given condition holds.

    ``user`` applies to user turns, ``tool_output``/``after_tool`` to tool results coming
    back, ``prompt`` to ``generate_reply(instructions=...)`` turns; ``agent`` is the id of
    the agent whose turn it is. A rule with ``once=True`` is used up after one answer.
    """

    then: Sequence[Step] | Responder
    user: Matcher | None = None
    tool_output: Matcher | None = None
    after_tool: str | None = None
    prompt: Matcher | None = None
    agent: str | None = None
    once: bool = False
    uses: int = field(default=0, init=False)

    def matches(self, request: Request) -> bool:
        if self.once and self.uses:
            return False
        kind = request.kind
        if self.user is not None and (kind != "user" or not _matches(self.user, request.trigger)):
            return False
        if self.tool_output is not None or self.after_tool is not None:
            outputs = request.tool_outputs
            if not any(_matches(self.tool_output, out.output) for out in outputs):
                return False
            if self.after_tool is not None and all(o.name != self.after_tool for o in outputs):
                return False
        if self.prompt is not None and (
            kind != "instructions" or not _matches(self.prompt, request.trigger)
        ):
            return False
        return self.agent is None or self.agent == request.agent

    def steps(self, request: Request) -> list[Step]:
        self.uses += 1
        return list(self.then(request) if callable(self.then) else self.then)


class ScriptedLLM(llm.LLM[None]):
    def __init__(
        self,
        rules: Sequence[Rule] = (),
        *,
        echo_tool_output: bool = True,
        fallback: Responder | None = None,
    ) -> None:
        super().__init__()
        self.rules = list(rules)
        self.requests: list[Request] = []
        self.echo_tool_output = echo_tool_output
        self.fallback = fallback
        self._call_ids = itertools.count(1)

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "tests"

    def add(self, *rules: Rule) -> None:
        self.rules.extend(rules)

    def requests_for(self, agent: str) -> list[Request]:
        """The recorded requests made while the agent with this id was active."""
        return [r for r in self.requests if r.agent == agent]

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        choice = tool_choice if is_given(tool_choice) else None
        # livekit runs every model call inside the turn's agent activity, which it keeps in
        # a context variable; nothing public names the agent a chat() call is for.
        activity = _AgentActivityContextVar.get(None)
        agent = activity.agent.id if activity is not None else None
        request = Request(chat_ctx.copy(), tuple(tools or ()), choice, agent)
        self.requests.append(request)
        return _ScriptedStream(self, request, conn_options=conn_options)

    def answer(self, request: Request) -> list[Step]:
        """Pick the steps for ``request`` and check them against what it allows."""
        rule = next((r for r in self.rules if r.matches(request)), None)
        if rule is not None:
            steps = rule.steps(request)
        elif request.kind == "tool_output" and self.echo_tool_output:
            steps = [Say(request.trigger)]
        elif self.fallback is not None:
            steps = list(self.fallback(request))
        else:
            raise ScriptError(f"no rule matches {request.describe()}")
        self._check(steps, request)
        return steps

    def new_call_id(self) -> str:
        return f"call_scripted_{next(self._call_ids)}"

    @staticmethod
    def _check(steps: Sequence[Step], request: Request) -> None:
        calls = [step.tool for step in steps if isinstance(step, Call)]
        choice = request.tool_choice
        for name in calls:
            if name not in request.tool_names:
                raise ScriptError(f"scripted call {name!r} is not offered: {request.describe()}")
            if choice == "none" or (
                isinstance(choice, dict) and choice["function"]["name"] != name
            ):
                raise ScriptError(f"scripted call {name!r} violates {request.describe()}")
        if choice == "required" and not calls:
            raise ScriptError(f"tool_choice='required' but no call scripted: {request.describe()}")


class _ScriptedStream(llm.LLMStream):
    def __init__(
        self, model: ScriptedLLM, request: Request, *, conn_options: APIConnectOptions
    ) -> None:
        super().__init__(
            model, chat_ctx=request.chat_ctx, tools=list(request.tools), conn_options=conn_options
        )
        self._model = model
        self._request = request
        self._chunk_id = f"scripted_{len(model.requests)}"

    async def _run(self) -> None:
        chunk_id = self._chunk_id
        for step in self._model.answer(self._request):
            if isinstance(step, Say):
                for piece in re.findall(r"\s*\S+\s*", step.text) or [step.text]:
                    delta = llm.ChoiceDelta(role="assistant", content=piece)
                    self._event_ch.send_nowait(llm.ChatChunk(id=chunk_id, delta=delta))
                    await asyncio.sleep(0)
            else:
                tool_call = llm.FunctionToolCall(
                    name=step.tool,
                    arguments=json.dumps(dict(step.arguments)),
                    call_id=self._model.new_call_id(),
                )
                delta = llm.ChoiceDelta(role="assistant", tool_calls=[tool_call])
                self._event_ch.send_nowait(llm.ChatChunk(id=chunk_id, delta=delta))
