"""Finding, changing and cancelling a booking the caller already has: the reservation agent's
tools for existing bookings."""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent import prompts
from agent.base import ReceptionAgent
from agent.details import read_phone
from agent.phrasing import say_when
from agent.state import RunContext_T
from core.codes import InvalidConfirmationCode, normalize_confirmation_code
from core.errors import (
    AlreadyBooked,
    BookingRejected,
    DatabaseUnavailable,
    InvalidValue,
    ReservationNotFound,
)
from core.models import Reservation


class ExistingBookings(ReceptionAgent):
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
                found = await service.upcoming_by_phone(read_phone(self.state.restaurant, phone))
            else:
                raise ToolError("Ask for the confirmation code or the phone number.")
        except (ReservationNotFound, InvalidConfirmationCode) as exc:
            raise ToolError(f"{exc} Ask them to check it, or try the phone number.") from exc
        except InvalidValue as exc:
            raise ToolError(f"{exc.message} Ask again.") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(prompts.database_down(self.state.restaurant)) from exc
        found = [r for r in found if r.status == "confirmed"]
        if not found:
            raise ToolError("No upcoming booking found. Ask for the confirmation code.")
        self.state.found_bookings = found
        if len(found) > 1:
            self.state.selected_booking = None
            listed = "; ".join(self._describe(r) for r in found)
            return (
                f"Several bookings: {listed}. Ask which one they mean, then call "
                "choose_booking with its code."
            )
        self.state.selected_booking = found[0]
        return f"Found: {self._describe(found[0])}. Ask what they would like to do."

    @function_tool
    async def choose_booking(self, ctx: RunContext_T, confirmation_code: str) -> str:
        """Pick the booking the caller means, when find_booking found several.

        Args:
            confirmation_code: the code of the booking they chose, from find_booking's list.
        """
        try:
            code = normalize_confirmation_code(confirmation_code)
        except InvalidConfirmationCode as exc:
            raise ToolError(f"{exc.message} Ask which booking they mean.") from exc
        for reservation in self.state.found_bookings:
            if reservation.confirmation_code == code:
                self.state.selected_booking = reservation
                return f"Selected: {self._describe(reservation)}. Ask what they would like to do."
        raise ToolError("That is not one of the bookings found. Ask which one they mean.")

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
        return f"Changed. The booking is now: {self._describe(changed)}. Read it back."

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
        return f"Cancelled: {self._describe(cancelled)}."

    def _selected(self) -> Reservation:
        if self.state.selected_booking is None:
            raise ToolError("Find the booking first (by confirmation code or phone number).")
        return self.state.selected_booking

    @staticmethod
    def _describe(reservation: Reservation) -> str:
        return (
            f"code {reservation.confirmation_code}, {reservation.party_size} guests on "
            f"{say_when(reservation.starts_at)}, under {reservation.name}"
        )
