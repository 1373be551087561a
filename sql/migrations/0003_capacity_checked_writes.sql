-- Capacity-checked writes. The covers check and the write must see every booking committed
-- before them, so each takes a per-day advisory lock first; in a volatile plpgsql function each
-- statement gets a fresh snapshot, so the check after the lock sees everything committed before
-- it. Doing this server-side keeps a booking to one round trip and holds the lock for
-- microseconds, which is what keeps 50 callers racing for one evening fast.
--
-- Errors use SQLSTATE class RB so the store can tell them apart:
--   RB001  the party does not fit the capacity of that time
--   RB002  no confirmed reservation with that id

create function lock_reservation_day(p_date date) returns void
language sql as $$
    -- 1919251317 namespaces our locks; the day number picks the lock.
    select pg_advisory_xact_lock(1919251317, p_date - date '2000-01-01');
$$;

create function covers_booked(p_date date, p_time time, p_dining interval, p_exclude_id bigint)
returns integer
language sql stable as $$
    select coalesce(sum(party_size), 0)::integer
    from reservations
    where status = 'confirmed'
      and reservation_date = p_date
      and id is distinct from p_exclude_id
      -- As timestamps, because time + interval wraps around midnight.
      and reservation_date + reservation_time < p_date + p_time + p_dining
      and reservation_date + reservation_time + p_dining > p_date + p_time;
$$;

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
        other_info, idempotency_key, session_id
    ) values (
        p_code, p_phone_number, p_name, p_date, p_time, p_party_size,
        p_other_info, p_idempotency_key, p_session_id
    ) returning * into booking;
    return booking;
end;
$$;

create function reschedule_reservation(
    p_id bigint,
    p_date date,
    p_time time,
    p_party_size integer,
    p_other_info jsonb,
    p_dining interval,
    p_capacity integer
) returns reservations
language plpgsql as $$
declare
    booking reservations;
begin
    perform lock_reservation_day(p_date);

    if covers_booked(p_date, p_time, p_dining, p_id) + p_party_size > p_capacity then
        raise exception 'no capacity for % covers', p_party_size using errcode = 'RB001';
    end if;

    update reservations
    set reservation_date = p_date,
        reservation_time = p_time,
        party_size = p_party_size,
        other_info = p_other_info
    where id = p_id and status = 'confirmed'
    returning * into booking;

    if not found then
        raise exception 'no confirmed reservation %', p_id using errcode = 'RB002';
    end if;
    return booking;
end;
$$;
