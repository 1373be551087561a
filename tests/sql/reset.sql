-- Empties every table between tests; the schema stays. The purge's claim first: a purge an API
-- start left running holds it while it writes, and must finish before the tables are emptied.
update periodic_runs set finished_at = null;
truncate reservations, handoffs, escalations, staff_outbox, failed_proofs, calls, call_lines,
    watched_rooms
    restart identity;
