"""Finding a caller's booking, and letting them show it is theirs before anything is said.

Found by its code, a booking is the caller's. Found by phone number alone it is only said to
exist, until the call comes from that number or the caller names it (agent/call/identity.py).
"""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent.agents import prompts
from agent.agents.base import ReceptionAgent
from agent.agents.phrasing import describe_booking
from agent.call.identity import IdentityLevel, same_name
from agent.call.state import RunContext_T
from core.errors import DatabaseUnavailable, InvalidValue, ReservationNotFound
from core.models import Reservation
from core.spoken.codes import InvalidConfirmationCode, normalize_confirmation_code
from core.spoken.details import read_phone

TOO_MANY_TRIES = (
    "The caller could not be matched to a booking after several tries, so no more lookups in "
    "this call. Offer to take a message for our team (transfer_to_escalation), who will call "
    "the number on the booking."
)


class LooksUpBookings(ReceptionAgent):
    @function_tool
    async def find_booking(
        self,
        ctx: RunContext_T,
        phone: str | None = None,
        confirmation_code: str | None = None,
    ) -> str:
        """Find the caller's existing booking by confirmation code or phone number. On a phone
        call, leave both out to look up the number the caller is calling from.

        Args:
            phone: the phone number the booking was made with, as said.
            confirmation_code: the six-character code, as said.
        """
        self._still_allowed()
        try:
            if confirmation_code:
                found = [await self.state.service.by_code(confirmation_code)]
                proof: IdentityLevel | None = "holds_code"
            else:
                number = self._number(phone)
                found = await self.state.service.upcoming_by_phone(number)
                proof = None
        except ReservationNotFound as exc:
            self._failed()
            raise ToolError(f"{exc} Ask them to check it, or try the phone number.") from exc
        except InvalidConfirmationCode as exc:
            raise ToolError(f"{exc.message} Ask them to check it.") from exc
        except DatabaseUnavailable as exc:
            raise ToolError(prompts.database_down(self.state.restaurant)) from exc
        now = self.state.restaurant.local_now(self.state.service.now())
        # Only a booking still to come can be changed; a past one may be anonymised already.
        found = [r for r in found if r.status == "confirmed" and r.starts_at >= now]
        if not found:
            self._failed()
            raise ToolError("No upcoming booking found. Ask for the confirmation code.")
        if proof is not None:
            self.state.identity.prove(found[0], proof)
        self.state.found_bookings = found
        self.state.selected_booking = None
        return self._show([r for r in found if self.state.may_know(r)], len(found))

    @function_tool
    async def check_booking_name(self, ctx: RunContext_T, name: str) -> str:
        """Check the name the caller says a booking found by phone number is under, before
        telling them anything about it.

        Args:
            name: the name the caller says the booking is under.
        """
        self._still_allowed()
        if not self.state.found_bookings:
            raise ToolError("Find the booking first (by confirmation code or phone number).")
        found = self.state.found_bookings
        named = [r for r in found if r.name is not None and same_name(name, r.name)]
        if not named:
            self._failed()
            raise ToolError(
                "That is not the name on the booking. Say so without saying the right name; "
                "ask them to check it, or for the confirmation code."
            )
        for reservation in named:
            self.state.identity.prove(reservation, "knows_name")
        return self._show(named, len(named))

    @function_tool
    async def choose_booking(self, ctx: RunContext_T, confirmation_code: str) -> str:
        """Pick the booking the caller means, when several were found.

        Args:
            confirmation_code: the code of the booking they chose.
        """
        self._still_allowed()
        try:
            code = normalize_confirmation_code(confirmation_code)
        except InvalidConfirmationCode as exc:
            raise ToolError(f"{exc.message} Ask which booking they mean.") from exc
        for reservation in self.state.found_bookings:
            if reservation.confirmation_code == code:
                # Saying a booking's code shows it is theirs, listed or not.
                self.state.identity.prove(reservation, "holds_code")
                self.state.selected_booking = reservation
                described = describe_booking(reservation)
                return f"Selected: {described}. Ask what they would like to do."
        self._failed()
        raise ToolError("That is not one of the bookings found. Ask which one they mean.")

    def _show(self, known: list[Reservation], found: int) -> str:
        """What the model may hear: the bookings the caller has shown are theirs, or only that
        bookings exist."""
        if not known:
            exists = (
                "There is a booking under that number, but the caller has not shown it is theirs"
                if found == 1
                else "There are bookings under that number, but the caller has not shown they "
                "are theirs"
            )
            return (
                f"{exists}: say nothing more about them. Ask what name the booking is under "
                "(then call check_booking_name), or for the confirmation code."
            )
        if len(known) > 1:
            listed = "; ".join(describe_booking(r) for r in known)
            return (
                f"Several bookings: {listed}. Ask which one they mean, then call "
                "choose_booking with its code."
            )
        self.state.selected_booking = known[0]
        return f"Found: {describe_booking(known[0])}. Ask what they would like to do."

    def _number(self, phone: str | None) -> str:
        if not phone:
            if self.state.caller_number is None:
                raise ToolError("Ask for the confirmation code or the phone number.")
            return self.state.caller_number
        try:
            return read_phone(self.state.restaurant, phone)
        except InvalidValue as exc:
            raise ToolError(f"{exc.message} Ask again.") from exc

    def _still_allowed(self) -> None:
        if self.state.identity.exhausted:
            raise ToolError(TOO_MANY_TRIES)

    def _failed(self) -> None:
        self.state.identity.fail()
        self._still_allowed()
