-- name: applied_versions()
-- Versions the migration runner recorded.
select version from schema_migrations order by version;

-- name: table_exists(name)$
-- Whether a table of that name exists.
select to_regclass(:name) is not null;

-- name: handoffs_of(session_id)
-- One call's handoffs, in order, with their entities.
select to_agent, entities from handoffs where session_id = :session_id order by id;

-- name: resolve_escalation(id)!
-- What staff do once they have called back (the staff desk's route, in one statement).
update escalations set status = 'resolved' where id = :id;

-- name: anonymise_reservation_now(id)!
-- An anonymisation the purge would never make: for checking the schema refuses it.
update reservations
set name = null, phone_number = null, anonymised_at = now()
where id = :id;

-- name: personal_data_of(id)^
-- A reservation's personal fields and when they were anonymised.
select name, phone_number, other_info, idempotency_key, anonymised_at
from reservations where id = :id;

-- name: escalation_personal_data_of(id)^
-- An escalation's personal fields and when they were anonymised.
select name, phone_number, summary, anonymised_at from escalations where id = :id;

-- name: staff_outbox()
-- Every staff notice, in the order written.
select id, event_id, event_type, subject, state, attempts, last_error, next_attempt_at
from staff_outbox
order by id;

-- name: age_notices(by)!
-- Moves every notice's creation back, as if written that long ago.
update staff_outbox set created_at = created_at - :by::interval;

-- name: age_escalation(id, by)!
-- Moves a callback's creation back, as if recorded that long ago.
update escalations set created_at = created_at - :by::interval where id = :id;

-- name: failed_proofs()
-- Every failed proof, oldest first.
select reservation_id, created_at from failed_proofs order by id;

-- name: age_failed_proofs(by)!
-- Moves every failed proof back, as if recorded that long ago.
update failed_proofs set created_at = created_at - :by::interval;
-- name: call_watch_leader(watch)$
-- The backend holding a call watch's lock, if any (a lock on one bigint key shows as its two
-- halves).
select pid from pg_locks
where locktype = 'advisory' and granted and objsubid = 1
  and classid = ((hashtext(:watch)::bigint >> 32) & 4294967295)::oid
  and objid = (hashtext(:watch)::bigint & 4294967295)::oid;

-- name: drop_connection(pid)$
-- What a database restart or an idle-connection reaper does to one connection.
select pg_terminate_backend(:pid);

-- name: lock_reservation(id)!
-- Holds a reservation's row for the rest of the caller's transaction: work that must write it
-- waits, half-way through its own transaction.
select id from reservations where id = :id for update;

-- name: waiting_on_a_lock(pid)$
-- Whether that backend is waiting for a row or table lock.
select exists (
    select 1 from pg_stat_activity where pid = :pid and wait_event_type = 'Lock'
);

-- name: backend_alive(pid)$
-- Whether that backend still exists.
select exists (select 1 from pg_stat_activity where pid = :pid);

-- name: end_notice_leases()!
-- What time does to claimed notices: their leases run out, as if the claim were long ago.
update staff_outbox set next_attempt_at = now() where state = 'pending';

-- name: watched_room(watch, room)^
-- One call-watch room's row, with whether it is due now.
select room, ours, due_at <= now() as due, agentless_since, dispatched_at, told_at, released
from watched_rooms
where watch = :watch and room = :room;

-- name: purged_since_reset()$
-- Whether a purge has finished since the tables were last emptied (tests/sql/reset.sql).
select finished_at is not null from periodic_runs where task = 'purge';
