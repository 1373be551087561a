-- name: create_escalation(name, phone_number, reason, summary, urgency, session_id)^
-- A caller staff must call back.
insert into escalations (name, phone_number, reason, summary, urgency, session_id)
values (:name, :phone_number, :reason, :summary, :urgency, :session_id)
returning *;

-- name: list_open_escalations()
-- Escalations staff have not resolved yet, oldest first.
select * from escalations where status <> 'resolved' order by created_at, id;
