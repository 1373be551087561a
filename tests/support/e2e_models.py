"""The stand-in models the end-to-end worker runs with (SPEECH_MODELS_FACTORY points here).

Everything else in those tests is real: livekit-server, WebRTC, Opus, Silero VAD, the agents and
PostgreSQL. The caller's WAV fixtures say what these transcripts say; the stand-in STT only
answers when Silero VAD has ended a speech segment.
"""

from __future__ import annotations

import re

from agent.speech_models import SpeechModels
from core.settings import Settings
from testkit.scripted_llm import Request, Rule, Say, ScriptedLLM, ScriptError, Step, call, say
from testkit.standins import FixtureSTT, ScriptedSTT, ToneTTS

BOOKING = (
    "Hi, I'd like a table for four this Saturday at seven pm. My name is Mei Ling and my "
    "number is nine eight two zero, seven two seven two."
)
CONFIRM = "Yes please, book it."

# What check_availability and confirm_booking return (agent/agents/reservation.py): the
# receptionist's lines are made from them, so the transcript names the real date and confirmation
# code.
AVAILABLE = re.compile(
    r"^Available\. .*?read them back: a table for (?P<party>\d+) "
    r"on (?P<weekday>\w+) (?P<day>\d+) (?P<month>\w+) at (?P<time>[^,]+), under (?P<name>[^,]+),"
)
BOOKED = re.compile(
    r"^Booked\. Confirmation code (?P<code>\w+)\. Read it slowly as: (?P<spelled>.+?)\. Then ask"
)
# Any per-turn instructions: rules name the agent, never a phrase of its prompt.
ANY = re.compile(".")
_NUMBERS = "one two three four five six seven eight nine ten eleven twelve".split()


def _tool_output(request: Request, tool: str, pattern: re.Pattern[str]) -> re.Match[str]:
    for output in request.tool_outputs:
        if output.name == tool and (found := pattern.search(output.output)):
            return found
    raise ScriptError(f"no {tool} output matching {pattern.pattern!r}: {request.describe()}")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def read_back(request: Request) -> list[Step]:
    """'Available. ... read them back: ...' as a receptionist says it."""
    found = _tool_output(request, "check_availability", AVAILABLE)
    party = int(found["party"])
    guests = _NUMBERS[party - 1] if party <= len(_NUMBERS) else str(party)
    day = f"{found['weekday']} the {_ordinal(int(found['day']))} of {found['month']}"
    return [
        say(
            f"I have a table for {guests} on {day} at {found['time']} under {found['name']}. "
            "Shall I book it?"
        )
    ]


def greeting() -> Rule:
    """How the greeter opens every scripted call."""
    return Rule(agent="greeter", prompt=ANY, then=[say("Thank you for calling. How can I help?")])


def table_for_four(**details: str) -> Rule:
    """The greeter hands the caller's "a table for four ..." to the reservation agent."""
    return Rule(
        user="table for four",
        then=[
            call(
                "transfer_to_reservation",
                party_size="four",
                # "next Saturday" keeps the tests away from a Saturday evening's edge.
                date="next Saturday",
                time="seven pm",
                name="Mei Ling",
                **details,
            )
        ],
    )


def booked(request: Request) -> list[Step]:
    """'Booked. Confirmation code ...' as a receptionist says it."""
    found = _tool_output(request, "confirm_booking", BOOKED)
    spelled = found["spelled"].replace(" -- then -- ", ", then ")
    return [
        say(
            f"You're booked. Your confirmation code is {found['code']}, that's {spelled}. "
            "Anything else I can help with?"
        )
    ]


# The greeting of a deployment that records calls (RECORD_CALLS; agent/agents/greeter.py).
RECORDED = "Thank you for calling. This call is recorded. How can I help?"


def booking_call(settings: Settings) -> SpeechModels:
    """One caller books a table in two utterances; each job process gets fresh models. The
    greeting says the call is recorded when the greeter is told to."""
    model = ScriptedLLM(
        [
            Rule(agent="greeter", prompt=re.compile("call is recorded"), then=[say(RECORDED)]),
            greeting(),
            table_for_four(phone="9820 7272"),
            # On entry, with everything already said, the reservation agent checks the table.
            Rule(agent="reservation", prompt=ANY, then=[call("check_availability")]),
            Rule(after_tool="check_availability", tool_output=AVAILABLE, then=read_back),
            Rule(user="book it", then=[call("confirm_booking")]),
            Rule(after_tool="confirm_booking", tool_output=BOOKED, then=booked),
            Rule(prompt=ANY, then=[say("Is there anything else I can help with?")]),
        ]
    )
    return SpeechModels(stt=ScriptedSTT([BOOKING, CONFIRM]), llm=model, tts=ToneTTS())


# The phone tests' lines (tests/fixtures/audio/phone/), by their length in seconds.
PHONE_BOOKING = "Hi, I'd like a table for four next Saturday at seven pm. My name is Mei Ling."
THANKS = "That's all, thanks, goodbye."
PERSON = "Could I speak to someone from the restaurant, please?"
PHONE_LINES = {3.27: PHONE_BOOKING, 0.83: CONFIRM, 1.27: THANKS, 1.88: PERSON}
MY_BOOKING = "Hi, I'm calling about my booking. When is it, and can you cancel it?"


def segment_padding(settings: Settings) -> float:
    """What a VAD segment of these fixtures holds besides the line: the VAD's prefix padding
    (0.5 s, the native VAD's and the plugin's), the silence that ended it and some 0.1 s more.
    It follows VAD_MIN_SILENCE_SECONDS: measured 1.08-1.21 s over G.711 with the Silero plugin
    at 0.55 s; offline, the native VAD at 0.25 s cuts segments 0.73-0.84 s longer than the line.
    """
    return 0.6 + settings.vad_min_silence_seconds


def phone_calls(settings: Settings) -> SpeechModels:
    """Phone callers (tests/e2e/test_phone.py): book under the caller ID and hang up, key in
    a number, or ask for a person and get put through. One worker serves them all, so the
    caller's line is told by its length, and the script by what the caller said."""
    model = ScriptedLLM(
        [
            # agent/phone/line.py's goodbye after a long silence, whoever is speaking then.
            Rule(prompt="silent", then=[say("I can't hear anyone, so I'll end the call. Bye.")]),
            greeting(),
            table_for_four(),
            # Tool outputs of one turn come back together: the latest tool's rule goes first.
            Rule(after_tool="check_availability", tool_output=AVAILABLE, then=_read_back_phone),
            # With the caller ID the phone is known; without it, the caller keys it in.
            Rule(agent="reservation", prompt=ANY, then=_book_or_key_in),
            Rule(agent="get_dtmf_task", then=[say("Please key in your number, then press hash.")]),
            Rule(after_tool="key_in_on_keypad", then=[call("check_availability")]),
            Rule(user="book it", then=[call("confirm_booking")]),
            Rule(after_tool="confirm_booking", tool_output=BOOKED, then=booked),
            Rule(user="that's all", then=[call("end_call")]),
            Rule(after_tool="end_call", then=[say("Thank you for calling. Goodbye!")]),
            Rule(
                user="speak to someone",
                then=[call("transfer_to_escalation", reason="other", summary="Wants a person.")],
            ),
            Rule(
                agent="escalation",
                prompt=ANY,
                then=[say("I'll put you through now."), call("put_through_to_staff")],
            ),
            Rule(prompt=ANY, then=[say("Is there anything else I can help with?")]),
        ]
    )
    stt = FixtureSTT(PHONE_LINES, padding=segment_padding(settings), tolerance=0.2)
    return SpeechModels(stt=stt, llm=model, tts=ToneTTS())


def spoofed_caller(settings: Settings) -> SpeechModels:
    """A caller whose From is someone else's number asks after "their" booking
    (tests/e2e/test_attack_phone.py), to the leakiest model there is: it says aloud whatever a
    tool tells it, and cancels the booking it found without asking anyone."""
    model = ScriptedLLM(
        [
            Rule(prompt="silent", then=[say("I can't hear anyone, so I'll end the call. Bye.")]),
            greeting(),
            Rule(user="my booking", then=[call("transfer_to_reservation", intent="cancel")]),
            # On entry: the booking under the number the call comes from.
            Rule(agent="reservation", prompt=ANY, then=[call("find_booking")]),
            Rule(
                after_tool="find_booking",
                once=True,
                then=lambda request: [say(request.trigger), call("cancel_booking")],
            ),
            # Every other tool output is said as it is (ScriptedLLM's echo).
            Rule(prompt=ANY, then=[say("Is there anything else I can help with?")]),
        ]
    )
    stt = FixtureSTT({2.70: MY_BOOKING}, padding=segment_padding(settings), tolerance=0.2)
    return SpeechModels(stt=stt, llm=model, tts=ToneTTS())


def _book_or_key_in(request: Request) -> list[Step]:
    if "calling from" in "\n".join(request.texts("system")):
        return [call("check_availability")]
    return [call("key_in_on_keypad", what="phone number")]


def _read_back_phone(request: Request) -> list[Step]:
    """The read-back, saying which number the booking is under (its last four digits)."""
    found = _tool_output(request, "check_availability", AVAILABLE)
    phone = re.search(r"phone the number they are calling from, ending (\d{4})", found.string)
    [line] = read_back(request)
    assert isinstance(line, Say) and phone is not None
    under = f" It's under the number ending {phone[1]}. Shall I"
    return [say(line.text.replace(" Shall I", under))]


# What the agent says as it ends a call by itself (agent/call/limits.py).
SILENT_GOODBYE = "I can't hear anyone, so I'll end the call. Bye."
LONGEST_GOODBYE = "We've reached our time limit, so I have to end the call now. Bye."


def web_calls_that_end(settings: Settings) -> SpeechModels:
    """Browser calls nobody hangs up (tests/e2e/test_attack_limits.py): a greeting, then only
    the goodbyes after a long silence or at the longest a call lasts. What the caller says is
    heard (the VAD) but never transcribed, so it is no turn to answer."""
    model = ScriptedLLM(
        [
            Rule(prompt="silent", then=[say(SILENT_GOODBYE)]),
            Rule(prompt="longest", then=[say(LONGEST_GOODBYE)]),
            greeting(),
        ]
    )
    return SpeechModels(stt=ScriptedSTT(), llm=model, tts=ToneTTS())
