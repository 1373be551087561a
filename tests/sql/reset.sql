-- Empties every table between tests; the schema stays.
truncate reservations, handoffs, escalations, staff_outbox, failed_proofs, calls, call_lines
    restart identity;
