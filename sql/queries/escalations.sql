-- name: create_escalation(name, phone_number, reason, summary, urgency, session_id, announce)^
-- A caller staff must call back, and its staff notice when announced, in one statement.
with escalation as (
    insert into escalations (name, phone_number, reason, summary, urgency, session_id)
    values (:name, :phone_number, :reason, :summary, :urgency, :session_id)
    returning *
), notice as (
    insert into staff_outbox (event_type, subject)
    select 'escalation.created', to_jsonb(escalation) from escalation where :announce
)
select * from escalation;

-- name: list_open_escalations()
-- Escalations staff have not resolved yet, oldest first.
select * from escalations where status <> 'resolved' order by created_at, id;
