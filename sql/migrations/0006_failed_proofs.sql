-- Callers who mean harm. Two records let the agent refuse them across calls and after a lost
-- agent: each failed attempt to show a booking is the caller's, and which caller made a booking
-- in a call.

-- One row per failed proof against one booking (a wrong name or code, or a lookup that found
-- only that a booking exists): no personal data, only which booking and when. Enough of them
-- within a window stop self-service for the booking's number (core/services/proofs.py); the
-- purge deletes them after restaurant.toml's handoff_days.
create table failed_proofs (
    id              bigint generated always as identity primary key,
    reservation_id  bigint not null references reservations (id),
    created_at      timestamptz not null default now()
);

create index failed_proofs_by_booking on failed_proofs (reservation_id, created_at);
create index failed_proofs_by_age on failed_proofs (created_at);

-- Which caller, in which room, made a booking: a digest of the LiveKit room's SID (one live
-- room, not its reusable name) and the caller's participant identity. A new agent picking up a
-- call trusts only the bookings whose digest is its own caller's (agent/call/start.py).
alter table reservations
    add column caller_key text check (caller_key ~ '^[0-9a-f]{32}$');

-- 0004's book_reservation, then the caller's digest on the row it wrote, in the same call (and
-- so under the same day lock, in the same transaction). Overloaded by arity: the store calls
-- this one. A repeated key returns the first row, which already has its digest.
create function book_reservation(
    p_code text,
    p_phone_number text,
    p_name text,
    p_date date,
    p_time time,
    p_party_size integer,
    p_other_info jsonb,
    p_idempotency_key text,
    p_session_id text,
    p_caller_key text,
    p_status text,
    p_announce boolean,
    p_dining interval,
    p_capacity integer
) returns reservations
language plpgsql as $$
declare
    booking reservations;
begin
    booking := book_reservation(
        p_code, p_phone_number, p_name, p_date, p_time, p_party_size, p_other_info,
        p_idempotency_key, p_session_id, p_status, p_announce, p_dining, p_capacity
    );
    if p_caller_key is not null and booking.caller_key is null then
        update reservations set caller_key = p_caller_key
        where id = booking.id
        returning * into booking;
    end if;
    return booking;
end;
$$;
