"""How the worker hears turns: its VAD, its turn detection, and endpointing for what was asked.

`attach_turn_taking(session)` follows the call: when the agent has spoken it reads what kind of
answer was asked for (`agent/turns/endpointing.py`), and sets the session's endpointing for the
caller's answer; while the caller speaks, each transcript that arrives before the turn ends
(pipeline mode) may hold the turn open or end it sooner. It relies on two things livekit-agents
1.8.9 does (voice/audio_recognition.py): `AgentSession.update_options(endpointing_opts=...)` swaps
the endpointing of the running turn detection, read when a pending end of turn starts waiting, and a
final transcript restarts that wait; and a VAD start of speech inside the wait cancels the pending
end, so a caller who resumes within the delay keeps their turn."""

from __future__ import annotations

import logging
import re
from typing import Any

from livekit.agents import (
    AgentSession,
    ConversationItemAddedEvent,
    inference,
    llm,
    vad,
)
from livekit.agents.llm import ChatMessage
from livekit.agents.voice import SpeechHandle
from livekit.agents.voice.events import UserInputTranscribedEvent
from livekit.agents.voice.turn import TurnHandlingOptions
from livekit.plugins import silero

from agent.call.state import CallState
from agent.turns.endpointing import AnswerKind, TurnDelays, Wait, asked_for, wait_for
from core.settings import Settings

logger = logging.getLogger("agent.turns.endpointing")

# The local audio end-of-turn model, pinned: left unset, livekit-agents picks its cloud model
# in `dev` and `console` mode, which would send callers' audio to LiveKit Cloud.
AUDIO_EOT_VERSION: inference.TurnDetectorVersions = "v1-mini"


def load_vad(settings: Settings) -> vad.VAD:
    """The VAD every call of this process uses (load it in prewarm)."""
    silence = settings.vad_min_silence_seconds
    if settings.vad_model == "silero":
        return silero.VAD.load(min_silence_duration=silence)
    # Its default silence is 0.25 s, not the plugin's 0.55: always pass ours.
    return inference.VAD(min_silence_duration=silence)


def turn_handling(settings: Settings) -> TurnHandlingOptions:
    """The session's turn handling: local VAD decides, in realtime mode too."""
    delays = TurnDelays.from_settings(settings)
    detection: Any = "vad"
    if settings.turn_detector == "audio-eot":
        detection = inference.TurnDetector(version=AUDIO_EOT_VERSION)
    return {
        "turn_detection": detection,
        "endpointing": {"mode": "fixed", "min_delay": delays.default, "max_delay": delays.hold},
    }


class TurnTaking:
    """One call's endpointing: what the agent last asked, and what the caller has said since."""

    def __init__(self, session: AgentSession[CallState], settings: Settings) -> None:
        self.session = session
        self.state = session.userdata
        self.delays = TurnDelays.from_settings(settings)
        self.audio_eot = settings.turn_detector == "audio-eot"
        self.region = self.state.restaurant.locale.phone_region
        # OpenAI Realtime transcribes a turn only after it is committed: too late to use.
        self.transcripts_first = not isinstance(session.llm, llm.RealtimeModel)
        self.expected: AnswerKind = "free_text"
        self.heard: list[str] = []
        self.wait = Wait("default", "call_start")
        session.on("conversation_item_added", self._on_item)
        session.on("user_input_transcribed", self._on_transcript)

    def expect(self, kind: AnswerKind) -> None:
        """Endpoint the caller's next turn as an answer of this kind."""
        self.expected, self.heard = kind, []
        self._apply(wait_for(kind, None, region=self.region))

    def keypad_entry(self, keys: str) -> SpeechHandle:
        """A number typed on the caller's phone keypad (DTMF), ending on '#'.

        For keys collected outside a tool call: the digits become the caller's turn as if said,
        and whatever audio the VAD had begun to hear as a turn is dropped (the caller was
        pressing keys, not talking). The phone line's keypad tool (agent/phone/keypad.py) needs none
        of it: its GetDtmfTask hands the digits to the tool, which puts them in the booking.
        """
        if not re.fullmatch(r"[0-9]+#", keys):
            raise ValueError("a keypad entry is one or more digits ending on '#'")
        logger.info(
            "keypad entry",
            extra={"session": self.state.session_id, "digits": len(keys) - 1},
        )
        self.session.clear_user_turn()
        return self.session.generate_reply(user_input=keys[:-1])

    def _on_item(self, event: ConversationItemAddedEvent) -> None:
        item = event.item
        if not isinstance(item, ChatMessage):
            return
        if item.role == "assistant":
            # The agent's words say what it asked; a tool's declaration covers the rest.
            said = asked_for(item.text_content or "")
            self.expect(said or self.state.expected_answer or "free_text")
            self.state.expected_answer = None
        elif item.role == "user":
            self._log_turn(item)
            self.heard = []
            self._apply(wait_for(self.expected, None, region=self.region))

    def _on_transcript(self, event: UserInputTranscribedEvent) -> None:
        if not (event.is_final and event.transcript.strip() and self.transcripts_first):
            return
        self.heard.append(event.transcript)
        self._apply(wait_for(self.expected, " ".join(self.heard), region=self.region))

    def _apply(self, wait: Wait) -> None:
        self.wait = wait
        delay = self.delays.of(wait.patience)
        # What an end-of-turn model's "not finished yet" waits for: the patient delay, or,
        # without one, the hold (only reached when min_delay is the hold itself).
        ceiling = self.delays.patient if self.audio_eot else self.delays.hold
        self.session.update_options(
            endpointing_opts={"min_delay": delay, "max_delay": max(delay, ceiling)}
        )
        logger.debug(
            "endpointing",
            extra={
                "session": self.state.session_id,
                "expected": self.expected,
                "reason": wait.reason,
                "delay": delay,
            },
        )

    def _log_turn(self, item: ChatMessage) -> None:
        # Counts and timings only: what the caller said stays out of the logs.
        fields: dict[str, object] = {
            "session": self.state.session_id,
            "expected": self.expected,
            "patience": self.wait.patience,
            "reason": self.wait.reason,
            "delay": self.delays.of(self.wait.patience),
            "words": len((item.text_content or "").split()),
        }
        for key in ("stopped_speaking_at", "end_of_turn_delay"):
            if isinstance(value := item.metrics.get(key), int | float):
                fields[key] = round(value, 4)
        logger.info("turn taken", extra=fields)


def attach_turn_taking(session: AgentSession[CallState], settings: Settings) -> TurnTaking:
    """Endpoint every caller turn of this session for what the agent asked."""
    return TurnTaking(session, settings)
