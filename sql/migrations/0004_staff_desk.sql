-- The staff desk: seated guests hold their seats, staff move bookings and callbacks through
-- their statuses, and notices for staff go through an outbox written in the same transaction
-- as the row they announce.
--
-- New SQLSTATE of class RB (see 0003):
--   RB003  the reservation's status changed since it was read

-- Seated guests still occupy their table until staff mark them completed, so the capacity
-- check counts them beside confirmed bookings (0003 counted confirmed only).
create or replace function covers_booked(
    p_date date, p_time time, p_dining interval, p_exclude_id bigint
) returns integer
language sql stable as $$
    select coalesce(sum(party_size), 0)::integer
    from reservations
    where status in ('confirmed', 'seated')
      and reservation_date = p_date
      and id is distinct from p_exclude_id
      -- As timestamps, because time + interval wraps around midnight.
      and reservation_date + reservation_time < p_date + p_time + p_dining
      and reservation_date + reservation_time + p_dining > p_date + p_time;
$$;

drop index reservations_confirmed_by_day;
create index reservations_holding_seats_by_day
    on reservations (reservation_date, reservation_time)
    where status in ('confirmed', 'seated');

-- Notices for staff (STAFF_WEBHOOK_URL). A row is written by the statement that writes what it
-- announces, so a notice exists exactly when its escalation or booking does; the API delivers
-- them, retrying until the receiver takes them.
create table staff_outbox (
    id               bigint generated always as identity primary key,
    -- What receivers de-duplicate on: the same on every retry of one notice.
    event_id         uuid not null unique default gen_random_uuid(),
    event_type       text not null
        check (event_type in ('escalation.created', 'reservation.created', 'reservation.cancelled')),
    -- The announced row as it was when the event happened; emptied once the notice is
    -- finished, so the outbox holds no personal data longer than it takes to deliver it.
    subject          jsonb not null check (jsonb_typeof(subject) = 'object'),
    -- skipped: its type is not among STAFF_WEBHOOK_EVENTS; expired: past the give-up age.
    state            text not null default 'pending'
        check (state in ('pending', 'delivered', 'skipped', 'expired')),
    attempts         integer not null default 0,
    -- When the next attempt is due; a claim moves it past the attempt's lease, so a process
    -- that dies mid-post leaves the notice to the next one instead of losing it.
    next_attempt_at  timestamptz not null default now(),
    -- Why the last attempt failed ("HTTP 500", "timed out"): never personal data.
    last_error       text check (length(last_error) <= 200),
    created_at       timestamptz not null default now(),
    finished_at      timestamptz
);

create index staff_outbox_due on staff_outbox (next_attempt_at) where state = 'pending';

-- Staff leave a note when they start or resolve a callback.
alter table escalations add column staff_note text check (length(staff_note) <= 1000);

-- Staff list callbacks by status, urgent first, then oldest.
create index escalations_by_status on escalations (status, created_at);

-- 0003's book_reservation, with the status to write (a walk-in is seated at once) and whether
-- to announce the booking to staff in the same transaction.
drop function book_reservation(
    text, text, text, date, time, integer, jsonb, text, text, interval, integer
);

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
    p_status text,
    p_announce boolean,
    p_dining interval,
    p_capacity integer
) returns reservations
language plpgsql as $$
declare
    booking reservations;
begin
    perform lock_reservation_day(p_date);

    -- After the lock, so a repeated call racing the first one finds its row.
    if p_idempotency_key is not null then
        select * into booking from reservations where idempotency_key = p_idempotency_key;
        if found then
            return booking;
        end if;
    end if;

    if covers_booked(p_date, p_time, p_dining, null) + p_party_size > p_capacity then
        raise exception 'no capacity for % covers', p_party_size using errcode = 'RB001';
    end if;

    insert into reservations (
        confirmation_code, phone_number, name, reservation_date, reservation_time, party_size,
        other_info, idempotency_key, session_id, status
    ) values (
        p_code, p_phone_number, p_name, p_date, p_time, p_party_size,
        p_other_info, p_idempotency_key, p_session_id, p_status
    ) returning * into booking;

    if p_announce then
        insert into staff_outbox (event_type, subject)
        values ('reservation.created', to_jsonb(booking));
    end if;
    return booking;
end;
$$;

-- A staff status change. Only a change that makes a booking hold seats again (a cancelled
-- booking confirmed again) needs the capacity check, and so the day's lock.
create function set_reservation_status(
    p_id bigint,
    p_from text,
    p_to text,
    p_dining interval,
    p_capacity integer
) returns reservations
language plpgsql as $$
declare
    booking reservations;
begin
    select * into booking from reservations where id = p_id;
    if p_to in ('confirmed', 'seated') and p_from not in ('confirmed', 'seated') then
        perform lock_reservation_day(booking.reservation_date);
        if covers_booked(booking.reservation_date, booking.reservation_time, p_dining, p_id)
                + booking.party_size > p_capacity then
            raise exception 'no capacity for % covers', booking.party_size using errcode = 'RB001';
        end if;
    end if;

    update reservations set status = p_to
    where id = p_id and status = p_from
    returning * into booking;

    if not found then
        raise exception 'reservation % is no longer %', p_id, p_from using errcode = 'RB003';
    end if;
    return booking;
end;
$$;
