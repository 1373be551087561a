-- name: try_lead_call_watch(watch)$
-- Whether this connection now leads the watch of one LiveKit deployment's rooms (one API
-- process at a time watches each).
select pg_try_advisory_lock(hashtext(:watch));

-- name: keep_leading_call_watch()$
-- A round trip on the leading connection: its lock lasts exactly as long as this session, so
-- an error here means the lead is lost.
select true;

-- name: note_room_event(watch, room)!
-- A webhook said something happened in the room: the leader looks at it now.
insert into watched_rooms (watch, room, due_at)
values (:watch, :room, now())
on conflict (watch, room) do update set due_at = now();

-- name: forget_room(watch, room)!
-- The room is gone (room_finished): nothing left to watch or to count.
delete from watched_rooms where watch = :watch and room = :room;

-- name: due_rooms(watch, batch)
-- The rooms the leader should look at now, the longest waiting first.
select room, due_at, agentless_since, dispatched_at, told_at, released
from watched_rooms
where watch = :watch and due_at <= now()
order by due_at
limit :batch;

-- name: room_looked(watch, room, seen_due, ours, due_in, agentless_since, dispatched_at, told_at, released)!
-- What the leader saw, and when it should look again (due_in seconds; null: on the next
-- event). An event that came while it looked (due_at moved) keeps the earlier look.
update watched_rooms
set ours = coalesce(:ours, ours),
    due_at = case
        when due_at is distinct from :seen_due
            then least(due_at, now() + make_interval(secs => :due_in::double precision))
        else now() + make_interval(secs => :due_in::double precision)
    end,
    agentless_since = :agentless_since,
    dispatched_at = :dispatched_at,
    told_at = :told_at,
    released = :released
where watch = :watch and room = :room;

-- name: reconcile_rooms(watch, rooms)!
-- The sweep: the rooms the server lists are all looked at now (an event may have been
-- missed); the rows of rooms it no longer has go.
with gone as (
    delete from watched_rooms where watch = :watch and not (room = any(:rooms::text[]))
), swept as (
    insert into watch_sweeps (watch, swept_at) values (:watch, now())
    on conflict (watch) do update set swept_at = now()
)
insert into watched_rooms (watch, room, due_at)
select :watch, listed, now() from unnest(:rooms::text[]) as listed
on conflict (watch, room) do update set due_at = now();

-- name: call_rooms(watch)
-- The rooms this deployment answers, for the cap on calls. One not looked at yet is counted by
-- its caller's token meanwhile (api/live_calls.py), and another deployment's never.
select room from watched_rooms where watch = :watch and ours;

-- name: sweep_failed(watch)!
-- The LiveKit server could not be listed: the rooms here may be stale.
update watch_sweeps set swept_at = null where watch = :watch;

-- name: swept_ago(watch)$
-- Seconds since the last sweep; null if it failed or never ran.
select extract(epoch from now() - swept_at)::double precision
from watch_sweeps
where watch = :watch;
