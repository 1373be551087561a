-- Several API processes share one database: work that is due once per period (the personal-data
-- purge) is run by one of them, once. A process claims the task's row for update in the same
-- transaction as the work; the others skip the locked row. Committed, the work and its time are
-- recorded together; a process that dies half-way rolls both back, and the next look from any
-- process finds the task still due (core/services/retention.py).
create table periodic_runs (
    task         text primary key,
    -- When the last run committed; null: never.
    finished_at  timestamptz
);

insert into periodic_runs (task) values ('purge');
