"""Changing and cancelling a booking the caller already has: the reservation agent's tools for
existing bookings, after agent/agents/booking_lookup.py found it and the caller showed it is
theirs."""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent.agents import prompts
from agent.agents.booking_lookup import LooksUpBookings
from agent.agents.phrasing import describe_booking, say_when
from agent.call.state import RunContext_T
from core.errors import (
    AlreadyBooked,
    BookingRejected,
    DatabaseUnavailable,
    ReservationNotFound,
)
from core.models import Reservation


class ExistingBookings(LooksUpBookings):
    """Changing and cancelling a booking the caller has shown is theirs."""

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
        current = self._selected()
        details = self.read_details(date=date, time=time, party_size=party_size, notes=notes)
        if details.oversized_party:
            raise ToolError(prompts.oversized_party(self.state.restaurant))
        if details.unclear:
            raise ToolError(f"Not understood, ask again: {', '.join(details.unclear_details())}.")
        if ctx.speech_handle.interrupted:
            return "The caller interrupted; nothing was changed. Ask them to confirm again."
        ctx.disallow_interruptions()
        other_info = {**current.other_info, "notes": details.notes} if details.notes else None
        try:
            changed = await self.state.service.update(
                current.confirmation_code,
                reservation_date=details.date,
                reservation_time=details.time,
                party_size=details.party_size,
                other_info=other_info,
            )
        except BookingRejected as exc:
            options = ", ".join(say_when(a) for a in exc.alternatives)
            raise ToolError(
                f"Not changed: {exc.message} Nearest times: {options or 'none'}."
            ) from exc
        except (AlreadyBooked, ReservationNotFound) as exc:
            raise ToolError(f"Not changed: {exc.message}") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(prompts.database_down(self.state.restaurant)) from exc
        self.state.selected_booking = changed
        await self.state.announce("updated", changed)
        return f"Changed. The booking is now: {describe_booking(changed)}. Read it back."

    @function_tool
    async def cancel_booking(self, ctx: RunContext_T) -> str:
        """Cancel the booking found with find_booking, after the caller confirmed."""
        current = self._selected()
        if ctx.speech_handle.interrupted:
            return "The caller interrupted; nothing was cancelled. Ask them to confirm again."
        ctx.disallow_interruptions()
        try:
            cancelled = await self.state.service.cancel(current.confirmation_code)
        except ReservationNotFound as exc:
            raise ToolError(f"Not cancelled: {exc.message}") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(prompts.database_down(self.state.restaurant)) from exc
        self.state.selected_booking = None
        await self.state.announce("cancelled", cancelled)
        return f"Cancelled: {describe_booking(cancelled)}."

    def _selected(self) -> Reservation:
        selected = self.state.selected_booking
        if selected is None:
            raise ToolError("Find the booking first (by confirmation code or phone number).")
        # Selected only once shown to be theirs; checked again where it matters most.
        if not self.state.may_know(selected):
            raise ToolError("The caller has not shown this booking is theirs: ask for its name.")
        return selected
