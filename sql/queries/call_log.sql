-- name: open_call(session_id, channel, caller_number)$
-- Start a call's record, or continue it when a new agent picks the call up again (its job
-- died); the record's id.
insert into calls (session_id, channel, caller_number)
values (:session_id, :channel, :caller_number)
on conflict (session_id) do update
set resumptions = calls.resumptions + 1,
    dropped_at = null,
    ended_at = null,
    caller_number = coalesce(calls.caller_number, excluded.caller_number)
returning id;

-- name: add_call_line(call_id, at, speaker, agent, text)!
-- One line of the transcript: the caller, the agent, or a tool the agent ran.
insert into call_lines (call_id, at, speaker, agent, text)
values (:call_id, :at, :speaker, :agent, :text);

-- name: note_call_agent(call_id, agent)!
-- An agent the call went through, kept once in order of first visit.
update calls
set agents = case when :agent = any(agents) then agents else agents || :agent::text end
where id = :call_id;

-- name: note_reply_delay(call_id, seconds)!
-- How long the caller waited for one reply.
update calls set reply_delays = reply_delays || :seconds::double precision where id = :call_id;

-- name: note_call_facts(call_id, booked, changed, cancelled, covers, questions, callbacks, transferred)!
-- What a turn did, added to what the call had done (codes kept once each).
update calls
set booked = array(select distinct unnest(booked || :booked::text[]) order by 1),
    changed = array(select distinct unnest(changed || :changed::text[]) order by 1),
    cancelled = array(select distinct unnest(cancelled || :cancelled::text[]) order by 1),
    covers_booked = covers_booked + :covers,
    questions = questions + :questions,
    callbacks = callbacks + :callbacks,
    transferred = transferred or :transferred
where id = :call_id;

-- name: note_bookings_of_session(call_id)!
-- A resumed call's record takes in the bookings made in its room that it lacks: the lost
-- agent's job can die between booking and writing it down. Each code, and its covers, once.
with missing as (
    select r.confirmation_code, r.party_size
    from calls c
    join reservations r on r.session_id = c.session_id
    where c.id = :call_id and not r.confirmation_code = any(c.booked)
)
update calls
set booked = array(
        select distinct unnest(booked || array(select confirmation_code from missing))
        order by 1
    ),
    covers_booked = covers_booked + coalesce((select sum(party_size) from missing), 0)
where id = :call_id;

-- name: end_call(call_id, caller_hung_up, failed)$
-- The call is over: who ended it, and what failed if something did. Its outcome, for the
-- worker's metrics.
update calls
set ended_at = now(), caller_hung_up = :caller_hung_up, failed = :failed
where id = :call_id
returning outcome;

-- name: mark_call_dropped(session_id)!
-- The call watch found the call's agent gone while the caller stayed.
update calls
set dropped_at = now(), drops = drops + 1
where session_id = :session_id and ended_at is null and dropped_at is null;

-- name: list_calls(day, tz, outcome, page_size, skip)
-- One page of calls, newest first: those started on `day` in the restaurant's time zone (any
-- day if null) with `outcome` (any if null); with their length and reply delays.
select c.*
from call_summaries c
where (:day::date is null or (c.started_at at time zone :tz)::date = :day::date)
  and (:outcome::text is null or c.outcome = :outcome::text)
order by c.started_at desc, c.id desc
limit :page_size offset :skip;

-- name: count_calls(day, tz, outcome)$
-- How many calls list_calls pages through.
select count(*)::integer
from calls c
where (:day::date is null or (c.started_at at time zone :tz)::date = :day::date)
  and (:outcome::text is null or c.outcome = :outcome::text);

-- name: get_call(id)^
-- One call by id, as list_calls shows it, or nothing.
select c.*
from call_summaries c
where c.id = :id;

-- name: get_call_id_of_session(session_id)$
-- The call a session (LiveKit room) was, for a booking or callback made in it.
select id from calls where session_id = :session_id;

-- name: list_call_lines(call_id)
-- A call's transcript, in the order it was said and done.
select at, speaker, agent, text from call_lines where call_id = :call_id order by id;

-- name: count_calls_by_hour(first_day, last_day, tz)
-- Calls started on each day and hour (the restaurant's time zone) from first_day to last_day.
select (started_at at time zone :tz)::date as day,
       extract(hour from started_at at time zone :tz)::integer as hour,
       count(*)::integer as calls
from calls
where (started_at at time zone :tz)::date between :first_day and :last_day
group by 1, 2
order by 1, 2;

-- name: sum_up_calls(first_day, last_day, tz)^
-- The owner's view of the calls started from first_day to last_day.
select count(*)::integer as calls,
       count(*) filter (
           where outcome not in ('transferred', 'callback', 'dropped', 'failed', 'in_progress')
       )::integer as handled_without_staff,
       coalesce(sum(cardinality(booked)), 0)::integer as bookings,
       coalesce(sum(covers_booked), 0)::integer as covers,
       coalesce(sum(callbacks), 0)::integer as callbacks,
       count(*) filter (where transferred)::integer as transfers,
       count(*) filter (where drops > 0)::integer as dropped,
       avg(extract(epoch from ended_at - started_at))::double precision as average_seconds,
       (select percentile_cont(0.5) within group (order by d)
        from calls c, unnest(c.reply_delays) d
        where (c.started_at at time zone :tz)::date between :first_day and :last_day)::double precision
           as reply_delay_p50
from calls
where (started_at at time zone :tz)::date between :first_day and :last_day;

-- name: count_calls_by_outcome()
-- How many calls have each outcome, for /metrics.
select outcome, count(*)::integer as calls from calls group by outcome;

-- name: count_pending_notices()$
-- Staff notices still waiting to be delivered, for /metrics.
select count(*)::integer from staff_outbox where state = 'pending';

-- name: add_call_recording(call_id, name)!
-- A recording of the call, kept in RECORDINGS_DIR under `name`.
update calls set recordings = array_append(recordings, :name) where id = :call_id;

-- name: get_call_recordings(call_id)$
-- The names of a call's recordings, oldest first; null when there is no such call.
select recordings from calls where id = :call_id;
