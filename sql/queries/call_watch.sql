-- name: try_lead_call_watch(watch)$
-- Whether this connection now leads the watch of one LiveKit deployment's rooms (one API
-- process at a time watches each).
select pg_try_advisory_lock(hashtext(:watch));

-- name: keep_leading_call_watch()$
-- A round trip on the leading connection: its lock lasts exactly as long as this session, so
-- an error here means the lead is lost.
select true;
