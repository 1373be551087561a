-- name: set_reservation_status(id, from_status, to_status, dining, capacity)^
-- A staff status change, capacity-checked when the booking would hold seats again.
select * from set_reservation_status(:id, :from_status, :to_status, :dining, :capacity);

-- name: list_escalations(statuses, page_size, skip)
-- One page of callbacks in the given statuses: urgent first, then oldest.
select *
from escalations
where status = any(:statuses::text[])
order by case urgency when 'high' then 0 when 'normal' then 1 else 2 end, created_at, id
limit :page_size offset :skip;

-- name: count_escalations(statuses)$
-- How many callbacks are in the given statuses, for paging.
select count(*) from escalations where status = any(:statuses::text[]);

-- name: get_escalation(id)^
-- One callback by id, or nothing.
select * from escalations where id = :id;

-- name: move_escalation(id, from_status, to_status, staff_note)^
-- Move a callback on if it is still where staff saw it; a null note keeps the one there.
update escalations
set status = :to_status, staff_note = coalesce(:staff_note, staff_note)
where id = :id and status = :from_status
returning *;
