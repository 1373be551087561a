-- name: record_handoff(session_id, from_agent, to_agent, entities)!
-- One agent-to-agent handoff in a call.
insert into handoffs (session_id, from_agent, to_agent, entities)
values (:session_id, :from_agent, :to_agent, :entities);

-- name: count_handoffs_by_route()
-- How many handoffs each route (from agent, to agent) has had.
select from_agent, to_agent, count(*)::integer as handoffs
from handoffs
group by from_agent, to_agent
order by handoffs desc, from_agent, to_agent;

-- name: reservation_handoff_conversion(reservation_agent)^
-- Calls handed to the reservation agent, and how many of those calls made a booking.
select
    count(distinct h.session_id)::integer as sessions,
    count(distinct r.session_id)::integer as booked_sessions
from handoffs h
left join reservations r on r.session_id = h.session_id
where h.to_agent = :reservation_agent;
