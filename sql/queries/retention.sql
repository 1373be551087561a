-- name: anonymise_reservations(visited_before)$
-- Forget the name, phone number and notes of visits before the cut-off; how many rows.
with forgotten as (
    update reservations
    set name = null,
        phone_number = null,
        other_info = '{}'::jsonb,
        -- Derived from the booking's details, so it would still single the caller out.
        idempotency_key = null,
        -- Derived from the caller's identity in the call.
        caller_key = null,
        anonymised_at = now()
    where reservation_date < :visited_before
      and anonymised_at is null
    returning 1
)
select count(*)::integer from forgotten;

-- name: anonymise_escalations(resolved_before)$
-- Forget the caller and message of callbacks resolved before the cut-off; how many rows.
with forgotten as (
    update escalations
    set name = null, phone_number = null, summary = '', anonymised_at = now()
    -- A resolved callback is not changed again, so its last update is its resolution.
    where status = 'resolved'
      and updated_at < :resolved_before
      and anonymised_at is null
    returning 1
)
select count(*)::integer from forgotten;

-- name: anonymise_handoffs(recorded_before)$
-- Forget what callers said at handoffs recorded before the cut-off; how many rows.
with forgotten as (
    update handoffs
    set entities = '{}'::jsonb
    where created_at < :recorded_before
      and entities <> '{}'::jsonb
    returning 1
)
select count(*)::integer from forgotten;

-- name: forget_call_transcripts(started_before)$
-- Delete the transcripts of calls started before the cut-off and clear their caller ID; the
-- calls stay, with their outcome, counts and codes. How many calls.
with forgotten as (
    update calls
    set caller_number = null, transcript_removed_at = now(), anonymised_at = now()
    where started_at < :started_before
      and anonymised_at is null
    returning id
), removed as (
    delete from call_lines where call_id in (select id from forgotten)
)
select count(*)::integer from forgotten;

-- name: forget_failed_proofs(recorded_before)$
-- Delete failed proofs recorded before the cut-off (they are only ever counted); how many rows.
with forgotten as (
    delete from failed_proofs
    where created_at < :recorded_before
    returning 1
)
select count(*)::integer from forgotten;

-- name: claim_periodic_run(task, every)$
-- Inside the caller's transaction: whether this process runs `task` now. True when the task's
-- last run is older than `every` and no other transaction holds it (SKIP LOCKED: a process
-- running it now makes the others skip, not wait).
select exists (
    select 1
    from periodic_runs
    where task = :task
      and (finished_at is null or finished_at <= now() - :every::interval)
    for update skip locked
);

-- name: finish_periodic_run(task)!
-- In the same transaction as the work: its time, committed with it.
update periodic_runs set finished_at = now() where task = :task;

-- name: forget_call_recordings(started_before)
-- Unlink the recordings of calls started before the cut-off; the names unlinked, for their
-- files to be deleted in the same transaction.
with due as (
    select id, recordings from calls
    where started_at < :started_before
      and recordings <> '{}'
    for update
), cleared as (
    update calls c set recordings = '{}' from due where c.id = due.id
)
select unnest(due.recordings) as name from due;
