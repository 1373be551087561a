"""The agents' instructions and the lines they share, rendered from restaurant.toml.

Each rule is worded once here. Where to transfer a caller is said by the transfer tools'
docstrings (agent/agents/transfers.py), which the model reads with every tool list, so no
instructions repeat it.
"""

from __future__ import annotations

import datetime as dt

from agent.agents.phrasing import say_date
from core.restaurant import WEEKDAYS, Restaurant


def callers_language(restaurant: Restaurant) -> str:
    """The language every agent and task answers in: the caller's."""
    languages = ", ".join(restaurant.locale.languages)
    return f"Answer in the language the caller speaks (callers here may use {languages})."


def voice_style(restaurant: Restaurant, now: dt.datetime) -> str:
    """How every agent speaks, and what day it is: the model's own idea of today is stale."""
    local = restaurant.local_now(now)
    return (
        "You are on a phone call: answer in one or two short, warm sentences, no lists, no "
        "markdown, no emoji. Say dates like 'Saturday the 28th' and times like '7 pm'. "
        "Never invent facts, availability or bookings; only a tool result makes them true. "
        f"{callers_language(restaurant)} When the caller does not speak English, give tools "
        "numbers in digits ('4', '91234567'), a date as its weekday and YYYY-MM-DD ('Friday "
        "2026-12-04', worked out from today's date below) and a time as HH:MM on a 24-hour "
        "clock ('19:30'). "
        f"It is now {local:%A} {local.day} {local:%B %Y, %H:%M} at the restaurant."
    )


def database_down(restaurant: Restaurant) -> str:
    """A tool's answer when the database does not: nothing was saved, and what to offer."""
    return (
        "Our system is not answering, so nothing was saved or changed. Say so honestly, and "
        "offer to try again in a moment or that the caller phones us on "
        f"{restaurant.identity.phone} later."
    )


def booking_limit(restaurant: Restaurant, limit: int) -> str:
    """A new booking past the most one call may make (MAX_BOOKINGS_PER_CALL)."""
    return (
        f"Not booked: one call can make at most {limit} bookings, and this call has made them. "
        "Explain that to the caller; you can still change or cancel the bookings made, and for "
        f"another table they can call again or phone us on {restaurant.identity.phone}."
    )


def callback_limit(restaurant: Restaurant, limit: int) -> str:
    """A message for staff past the most one call may leave (MAX_CALLBACKS_PER_CALL)."""
    identity = restaurant.identity
    return (
        f"Not recorded: one call can leave at most {limit} messages for our team, and this call "
        "has left them. Explain that to the caller: our team will call back about the messages "
        f"already taken {identity.callback_promise}, and the caller can raise anything else "
        f"then, or phone us on {identity.phone}."
    )


def resumed_call(booked: list[str]) -> str:
    """The first words of an agent picking up a call whose agent was lost."""
    earlier = (
        f" Already booked in this call: {'; '.join(booked)}. Do not offer to book it again."
        if booked
        else ""
    )
    return (
        "The line dropped and you are picking the call up again: apologise briefly that you "
        f"were cut off.{earlier} Ask what else you can help with."
    )


def oversized_party(restaurant: Restaurant) -> str:
    """What to do about a group larger than we book."""
    return (
        f"{restaurant.booking.party_limit} Offer to pass the caller to our team "
        "(transfer_to_escalation)."
    )


def calling_from(number: str) -> str:
    """How to use a phone caller's caller ID for their booking: confirm it, do not ask."""
    ending = number[-4:]
    return (
        f"The phone number is the one the caller is calling from, ending {ending}: confirm it "
        f'("shall I put the booking under the number you\'re calling from, ending {ending}?") '
        "instead of asking for a number."
    )


# A tool's next step once every detail of a new booking is known: it must not sound booked.
CHECK_NEXT = "Nothing is booked yet. Next, check availability (check_availability)."


def existing_booking(intent: str) -> str:
    """The reservation agent's briefing for a caller who came about a booking they have."""
    wants = {"change": "change", "cancel": "cancel", "lookup": "hear the details of"}[intent]
    return (
        f"The caller wants to {wants} a booking they already have. First find it: ask for its "
        "confirmation code or the phone number it was made with (find_booking), and nothing "
        "that only a new booking needs."
    )


# Each agent's instructions, by agent id: {name} is the restaurant's, {facts} its fact sheet.
_INSTRUCTIONS = {
    "greeter": (
        "You answer the phone for {name}, a restaurant. Find out what the caller needs and "
        "transfer them straight away with the tool that fits, passing every detail the caller "
        "already gave. Do not answer questions or take bookings yourself."
    ),
    "reservation": (
        "You handle table bookings for {name}. For a new booking you need the name, phone "
        "number, date, time and party size, and may note an occasion, allergies or seating "
        "wishes. Record details as the caller gives them, ask for one missing thing at a time, "
        "check availability, read the booking back and book only after the caller says yes. "
        "Then read the confirmation code slowly. To change or cancel, first find the booking by "
        "phone number or confirmation code, say what you found, and act only after the caller "
        "agrees. Say nothing about a booking that a tool did not describe to you: a booking "
        "found by phone number, even the one they call from, is described only once the "
        "caller gives its confirmation code or the full name it is under."
    ),
    "information": (
        "You answer questions about {name} using only these facts. If the answer is not here, "
        "say you don't know and offer to take a message for the staff. If the caller wants to "
        "book or change a booking, transfer them to reservations.\n\nFACTS\n{facts}"
    ),
    "escalation": (
        "You take messages for the staff of {name}. Collect the caller's name, phone number "
        "and a short summary, read them back, then record the message. Be empathetic with "
        "complaints; do not promise refunds or exceptions."
    ),
}


def instructions(agent: str, restaurant: Restaurant) -> str:
    """The standing instructions of the agent with this id."""
    return _INSTRUCTIONS[agent].format(name=restaurant.name, facts=fact_sheet(restaurant))


def fact_sheet(restaurant: Restaurant) -> str:
    """Everything the information agent may say, rendered from restaurant.toml."""
    identity, info, rules = restaurant.identity, restaurant.info, restaurant.booking
    hours = "; ".join(restaurant.describe_hours(day) for day in WEEKDAYS)
    closed = ", ".join(say_date(day) for day in sorted(rules.closed_dates)) or "none"
    lines = [
        f"Name: {identity.name}. Cuisine: {info.cuisine}",
        f"Address: {identity.address}. Phone: {identity.phone}.",
        f"Directions: {identity.directions}",
        f"Parking: {identity.parking}",
        f"Opening hours: {hours}. Also closed on: {closed}.",
        f"Bookings: {rules.party_limit} Up to {rules.max_days_ahead} days ahead, at least "
        f"{rules.min_notice_minutes} minutes' notice; tables for about "
        f"{rules.dining_minutes} minutes.",
        "Menu highlights: " + "; ".join(info.menu_highlights),
        "Dietary: " + " ".join(info.dietary),
        "Policies: " + " ".join(info.policies),
        f"Payment: {info.payment}",
    ]
    return "\n".join(lines)
