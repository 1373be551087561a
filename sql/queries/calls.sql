-- name: list_reservations_of_session(session_id)
-- The reservations one call (LiveKit room) made, oldest first.
select * from reservations where session_id = :session_id order by created_at, id;

-- name: count_handoffs_of_session(session_id)$
-- How many handoffs one call has had.
select count(*)::integer from handoffs where session_id = :session_id;
