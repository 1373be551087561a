-- Empties every table between tests; the schema stays.
truncate reservations, handoffs, escalations, staff_outbox, failed_proofs restart identity;
update periodic_runs set finished_at = null;
