"""Books, changes and cancels tables, asking only for what the caller has not said."""

from __future__ import annotations

import hashlib

from livekit.agents import ToolError, function_tool

from agent.handoff_data import ReservationHandoffData
from agent.handoffs import ToEscalation, ToInformation
from agent.phrasing import say_date, say_time, say_when, spell_code
from agent.state import CallState, RunContext_T
from core.booking import InvalidConfirmationCode
from core.errors import AlreadyBooked, BookingRejected, DatabaseUnavailable, ReservationNotFound
from core.models import Reservation

DATABASE_DOWN = (
    "Our booking system is not answering, so nothing was booked or changed. Say so honestly "
    "and offer to try again in a moment or to take a message for the staff."
)


class ReservationAgent(ToInformation, ToEscalation):
    label = "reservation"

    def __init__(self, state: CallState) -> None:
        super().__init__(
            state,
            f"You handle table bookings for {state.restaurant.name}. For a new booking you "
            "need the name, phone number, date, time and party size, and may note an "
            "occasion, allergies or seating wishes. Record details as the caller gives them, "
            "ask for one missing thing at a time, check availability, read the booking back "
            "and book only after the caller says yes. Then read the confirmation code slowly. "
            "To change or cancel, first find the booking by phone number or confirmation "
            "code, say what you found, and act only after the caller agrees.",
        )

    def briefing(self) -> str | None:
        draft, notes = self.state.booking, []
        if known := draft.known():
            notes.append("Already understood: " + ", ".join(known) + ".")
        if self.state.unclear:
            notes.append("Said but unclear, ask again: " + ", ".join(self.state.unclear) + ".")
        if self.state.oversized_party:
            notes.append(
                f"The caller wants a table for {self.state.oversized_party}, more than the "
                f"{self.state.restaurant.booking.max_party_size} we book by phone: offer to "
                "pass them to our team (transfer_to_escalation)."
            )
        if missing := draft.missing():
            notes.append("Still needed for a new booking: " + ", ".join(missing) + ".")
        return " ".join(notes) or None

    def entry_instructions(self) -> str:
        return (
            "Briefly tell the caller what you already understood, then ask for the next "
            "missing detail (or, to change or cancel, for their phone number or code)."
        )

    @function_tool
    async def record_booking_details(
        self,
        ctx: RunContext_T,
        name: str | None = None,
        phone: str | None = None,
        date: str | None = None,
        time: str | None = None,
        party_size: str | None = None,
        notes: str | None = None,
    ) -> str:
        """Save booking details as soon as the caller gives them; pass only what they just
        said. Returns what is known and what is still missing.

        Args:
            name: the name for the booking.
            phone: the caller's phone number as said.
            date: the day as said ("Saturday", "25/12", "tomorrow") or YYYY-MM-DD.
            time: the time as said ("7pm", "half past seven") or HH:MM (24-hour).
            party_size: how many guests, as said.
            notes: occasion, allergies or seating wishes.
        """
        data = ReservationHandoffData.extract(
            restaurant=self.state.restaurant,
            now=self.state.service.now(),
            name=name,
            phone=phone,
            date=date,
            time=time,
            party_size=party_size,
            notes=notes,
        )
        draft = self.state.booking
        draft.merge(data)
        self.state.unclear = data.unclear_details()
        if data.oversized_party:
            raise ToolError(
                f"Groups of more than {self.state.restaurant.booking.max_party_size} are "
                "arranged by our team: offer to transfer the caller to escalation."
            )
        known = "Known: " + (", ".join(draft.known()) or "nothing yet") + "."
        if data.unclear:
            # The valid details above are kept; only the unclear ones are asked again.
            raise ToolError(
                f"{known} Not understood, ask again: {', '.join(data.unclear_details())}."
            )
        missing = draft.missing()
        return f"{known} Still needed: {', '.join(missing)}." if missing else f"{known} All set."

    @function_tool
    async def check_availability(self, ctx: RunContext_T) -> str:
        """Check whether the recorded date, time and party size can be booked."""
        draft = self.state.booking
        if draft.date is None or draft.time is None or draft.party_size is None:
            raise ToolError(f"Ask for: {', '.join(draft.missing())}.")
        try:
            answer = await self.state.service.check_availability(
                draft.date, draft.time, draft.party_size
            )
        except DatabaseUnavailable as exc:
            raise ToolError(DATABASE_DOWN) from exc
        if not answer.available:
            self.state.quoted = None
            options = ", ".join(say_when(a) for a in answer.alternatives)
            offer = f" Offer the nearest times: {options}." if options else ""
            return f"Not available: {answer.message}{offer}"
        if missing := draft.missing():
            return f"Available. Before booking, ask for: {', '.join(missing)}."
        self.state.quoted = draft.key()
        return f"Available. Read this back and ask the caller to confirm: {self._summary()}."

    @function_tool
    async def confirm_booking(self, ctx: RunContext_T) -> str:
        """Book the table. Only after check_availability said it is available, you read the
        booking back, and the caller said yes."""
        draft = self.state.booking
        if self.state.quoted is None or self.state.quoted != draft.key():
            raise ToolError("Check availability and read the booking back first.")
        if ctx.speech_handle.interrupted:
            return "The caller interrupted; nothing was booked. Ask them to confirm again."
        # A caller talking over the agent must not leave a half-made booking.
        ctx.disallow_interruptions()
        assert draft.name and draft.phone and draft.date and draft.time and draft.party_size
        try:
            reservation = await self.state.service.create(
                phone_number=draft.phone,
                name=draft.name,
                reservation_date=draft.date,
                reservation_time=draft.time,
                party_size=draft.party_size,
                other_info={"notes": draft.notes} if draft.notes else {},
                # The same details in the same call book once, however often the model asks.
                idempotency_key=self._idempotency_key(),
                session_id=self.state.session_id,
            )
        except BookingRejected as exc:
            self.state.quoted = None
            options = ", ".join(say_when(a) for a in exc.alternatives)
            raise ToolError(
                f"Not booked: {exc.message} Nearest times: {options or 'none'}."
            ) from exc
        except AlreadyBooked as exc:
            raise ToolError(f"Not booked: {exc.message} Offer to change that booking.") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(DATABASE_DOWN) from exc
        self.state.found = reservation
        await self.state.announce("created", reservation)
        code = reservation.confirmation_code
        return (
            f"Booked. Confirmation code {code}. Read it slowly as: {spell_code(code)}. "
            "Then ask if there is anything else."
        )

    @function_tool
    async def find_booking(
        self,
        ctx: RunContext_T,
        phone: str | None = None,
        confirmation_code: str | None = None,
    ) -> str:
        """Find the caller's existing booking by confirmation code or phone number.

        Args:
            phone: the phone number the booking was made with, as said.
            confirmation_code: the six-character code, as said.
        """
        service = self.state.service
        try:
            if confirmation_code:
                found = [await service.by_code(confirmation_code)]
            elif phone:
                data = ReservationHandoffData.extract(
                    restaurant=self.state.restaurant, now=service.now(), phone=phone
                )
                if data.phone is None:
                    raise ToolError("I didn't catch a valid phone number. Ask again.")
                found = await service.upcoming_by_phone(data.phone)
            else:
                raise ToolError("Ask for the confirmation code or the phone number.")
        except (ReservationNotFound, InvalidConfirmationCode) as exc:
            raise ToolError(f"{exc} Ask them to check it, or try the phone number.") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(DATABASE_DOWN) from exc
        found = [r for r in found if r.status == "confirmed"]
        if not found:
            raise ToolError("No upcoming booking found. Ask for the confirmation code.")
        self.state.found = found[0]
        if len(found) > 1:
            listed = "; ".join(self._describe(r) for r in found)
            return f"Several bookings: {listed}. The first is selected; ask which one they mean."
        return f"Found: {self._describe(found[0])}. Ask what they would like to do."

    @function_tool
    async def change_booking(
        self,
        ctx: RunContext_T,
        date: str | None = None,
        time: str | None = None,
        party_size: str | None = None,
        notes: str | None = None,
    ) -> str:
        """Change the booking found with find_booking, after the caller agreed to the change.
        Pass only what changes.

        Args:
            date: the new day as said, or YYYY-MM-DD.
            time: the new time as said, or HH:MM (24-hour).
            party_size: the new number of guests.
            notes: new occasion, allergies or seating wishes.
        """
        current = self._found()
        data = ReservationHandoffData.extract(
            restaurant=self.state.restaurant,
            now=self.state.service.now(),
            date=date,
            time=time,
            party_size=party_size,
            notes=notes,
        )
        if data.oversized_party:
            raise ToolError("That group is too large to book by phone: offer escalation.")
        if data.unclear:
            raise ToolError(f"Not understood, ask again: {', '.join(data.unclear_details())}.")
        if ctx.speech_handle.interrupted:
            return "The caller interrupted; nothing was changed. Ask them to confirm again."
        ctx.disallow_interruptions()
        try:
            changed = await self.state.service.update(
                current.confirmation_code,
                reservation_date=data.date,
                reservation_time=data.time,
                party_size=data.party_size,
                other_info={**current.other_info, "notes": data.notes} if data.notes else None,
            )
        except BookingRejected as exc:
            options = ", ".join(say_when(a) for a in exc.alternatives)
            raise ToolError(
                f"Not changed: {exc.message} Nearest times: {options or 'none'}."
            ) from exc
        except (AlreadyBooked, ReservationNotFound) as exc:
            raise ToolError(f"Not changed: {exc.message}") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(DATABASE_DOWN) from exc
        self.state.found = changed
        await self.state.announce("updated", changed)
        return f"Changed. The booking is now: {self._describe(changed)}. Read it back."

    @function_tool
    async def cancel_booking(self, ctx: RunContext_T) -> str:
        """Cancel the booking found with find_booking, after the caller confirmed."""
        current = self._found()
        if ctx.speech_handle.interrupted:
            return "The caller interrupted; nothing was cancelled. Ask them to confirm again."
        ctx.disallow_interruptions()
        try:
            cancelled = await self.state.service.cancel(current.confirmation_code)
        except ReservationNotFound as exc:
            raise ToolError(f"Not cancelled: {exc.message}") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(DATABASE_DOWN) from exc
        self.state.found = None
        await self.state.announce("cancelled", cancelled)
        return f"Cancelled: {self._describe(cancelled)}."

    def _found(self) -> Reservation:
        if self.state.found is None:
            raise ToolError("Find the booking first (by confirmation code or phone number).")
        return self.state.found

    def _summary(self) -> str:
        draft = self.state.booking
        assert draft.date and draft.time
        summary = (
            f"a table for {draft.party_size} on {say_date(draft.date)} at "
            f"{say_time(draft.time)}, under {draft.name}, phone {draft.phone}"
        )
        return f"{summary}, notes: {draft.notes}" if draft.notes else summary

    def _idempotency_key(self) -> str:
        details = repr(self.state.booking.key()).encode()
        return f"{self.state.session_id}:{hashlib.sha256(details).hexdigest()[:32]}"

    @staticmethod
    def _describe(reservation: Reservation) -> str:
        return (
            f"code {reservation.confirmation_code}, {reservation.party_size} guests on "
            f"{say_when(reservation.starts_at)}, under {reservation.name}"
        )
