"""A day at a glance: covers in use per slot against the restaurant's capacity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.deps import DeskDep, staff_router
from api.schemas import IsoDate, OccupancyPublic, ServicePublic, SlotPublic

router = staff_router("/api/occupancy", "reservations")


@router.get("", summary="Covers in use at each slot of a day's services")
async def occupancy(
    desk: DeskDep,
    date: Annotated[
        IsoDate | None, Query(description="YYYY-MM-DD; absent: today at the restaurant.")
    ] = None,
) -> OccupancyPublic:
    """At each slot, the covers of the confirmed and seated bookings whose meal is under way
    then (dining_minutes from their time); no services on a closed day."""
    day = date or desk.today()
    services = await desk.occupancy(day)
    return OccupancyPublic(
        reservation_date=day,
        capacity_covers=desk.service.restaurant.booking.capacity_covers,
        services=[
            ServicePublic(
                service=s.service.service,
                opens=s.service.opens,
                closes=s.service.closes,
                slots=[SlotPublic(time=at, covers=covers) for at, covers in s.slots],
            )
            for s in services
        ],
    )
