-- name: book_reservation(code, phone_number, name, reservation_date, reservation_time, party_size, other_info, idempotency_key, session_id, caller_key, status, announce, dining, capacity)^
-- Capacity-checked insert (and its staff notice) in one round trip; returns the existing row
-- for a repeated key.
select *
from book_reservation(
    :code, :phone_number, :name, :reservation_date, :reservation_time, :party_size,
    :other_info, :idempotency_key, :session_id, :caller_key, :status, :announce, :dining,
    :capacity
);

-- name: reschedule_reservation(id, reservation_date, reservation_time, party_size, other_info, dining, capacity)^
-- Capacity-checked change of a confirmed reservation's date, time, party or notes.
select *
from reschedule_reservation(
    :id, :reservation_date, :reservation_time, :party_size, :other_info, :dining, :capacity
);

-- name: get_reservation_by_code(code)^
-- One reservation by its confirmation code, or nothing.
select * from reservations where confirmation_code = :code;

-- name: get_reservation_by_idempotency_key(idempotency_key)^
-- The reservation a create call with this key made, or nothing.
select * from reservations where idempotency_key = :idempotency_key;

-- name: list_upcoming_by_phone(phone_number, since)
-- A phone's confirmed reservations starting at `since` or later (local restaurant time),
-- soonest first.
select *
from reservations
where phone_number = :phone_number
  and status = 'confirmed'
  and reservation_date + reservation_time >= :since
order by reservation_date, reservation_time;

-- name: list_reservations_for_date(reservation_date, status, page_size, skip)
-- One page of a day's reservations for staff, in seating order; status null means all.
select *
from reservations
where reservation_date = :reservation_date
  and (:status::text is null or status = :status::text)
order by reservation_time, id
limit :page_size offset :skip;

-- name: count_reservations_for_date(reservation_date, status)$
-- How many reservations a day has, for paging; status null means all.
select count(*)
from reservations
where reservation_date = :reservation_date
  and (:status::text is null or status = :status::text);

-- name: list_held_covers_for_date(reservation_date)
-- The day's bookings that hold seats (confirmed or seated) as (time, party size), to find
-- times that still fit and to show the day's occupancy.
select reservation_time, party_size
from reservations
where reservation_date = :reservation_date and status in ('confirmed', 'seated');

-- name: cancel_reservation(code, announce)^
-- Cancel a confirmed reservation, with its staff notice when announced; nothing when there is
-- no confirmed one with that code.
with cancelled as (
    update reservations
    set status = 'cancelled'
    where confirmation_code = :code and status = 'confirmed'
    returning *
), notice as (
    insert into staff_outbox (event_type, subject)
    select 'reservation.cancelled', to_jsonb(cancelled) from cancelled where :announce
)
select * from cancelled;
