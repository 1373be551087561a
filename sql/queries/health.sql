-- name: ping()$
-- Answers 1 when the database is up.
select 1;
