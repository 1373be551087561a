-- name: claim_due_notices(batch, lease)
-- Due notices for this process to post. The claim moves them past the attempt's lease, so no
-- other API process takes them meanwhile; SKIP LOCKED lets processes claim side by side.
update staff_outbox
set attempts = attempts + 1, next_attempt_at = now() + :lease::interval
where id in (
    select id
    from staff_outbox
    where state = 'pending' and next_attempt_at <= now()
    order by id
    limit :batch
    for update skip locked
)
returning id, event_id, event_type, subject, attempts, created_at;

-- name: finish_notice(id, state)!
-- A notice delivered, or one that will not be sent (skipped). The subject (a caller's name and
-- number) is forgotten: the staff have it, and the row it copied keeps its own retention.
update staff_outbox
set state = :state, finished_at = now(), last_error = null, subject = '{}'::jsonb
where id = :id and state = 'pending';

-- name: retry_notice_later(id, delay, error)!
-- A failed attempt: try again after the backoff.
update staff_outbox
set next_attempt_at = now() + :delay::interval, last_error = :error
where id = :id and state = 'pending';

-- name: expire_notices(older_than)$
-- Gives up on pending notices older than the give-up age, forgetting their subject; how many.
with expired as (
    update staff_outbox
    set state = 'expired', finished_at = now(), subject = '{}'::jsonb
    where state = 'pending' and created_at < now() - :older_than::interval
    returning 1
)
select count(*) from expired;
