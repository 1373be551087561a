-- name: applied_versions()
-- Versions the migration runner recorded.
select version from schema_migrations order by version;

-- name: table_exists(name)$
-- Whether a table of that name exists.
select to_regclass(:name) is not null;

-- name: staff_outbox()
-- Every staff notice, in the order written.
select id, event_id, event_type, subject, state, attempts, last_error, next_attempt_at
from staff_outbox
order by id;

-- name: make_notices_due()!
-- Lets the next pass claim every pending notice now, whatever its backoff.
update staff_outbox set next_attempt_at = now() where state = 'pending';

-- name: age_notices(by)!
-- Moves every notice's creation back, as if written that long ago.
update staff_outbox set created_at = created_at - :by::interval;

-- name: age_escalation(id, by)!
-- Moves a callback's creation back, as if recorded that long ago.
update escalations set created_at = created_at - :by::interval where id = :id;
