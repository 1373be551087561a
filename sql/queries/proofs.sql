-- name: record_failed_proofs(reservation_ids)!
-- One failed proof against each of these bookings, now.
insert into failed_proofs (reservation_id)
select unnest(:reservation_ids::bigint[]);

-- name: most_failed_proofs_of_phone(phone_number, within)$
-- The most failed proofs any one booking under this phone number has had in the last `within`
-- (database time, as the rows are stamped).
select coalesce(max(failures), 0)::integer
from (
    select count(*) as failures
    from failed_proofs f
    join reservations r on r.id = f.reservation_id
    where r.phone_number = :phone_number
      and f.created_at > now() - :within::interval
    group by f.reservation_id
) per_booking;
