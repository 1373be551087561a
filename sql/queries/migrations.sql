-- name: lock_migrations()$
-- Held for the whole run, so processes starting together apply each file once.
select pg_advisory_lock(1919251318);

-- name: unlock_migrations()$
-- Lets the next starting process check the (now current) schema.
select pg_advisory_unlock(1919251318);

-- name: create_migrations_table#
-- Which migration files are applied, with their checksums.
create table if not exists schema_migrations (
    version     integer primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now()
);

-- name: list_applied_migrations()
-- Applied migrations in order.
select version, name, checksum from schema_migrations order by version;

-- name: record_migration(version, name, checksum)!
-- Marks a migration applied, in the same transaction as the migration itself.
insert into schema_migrations (version, name, checksum) values (:version, :name, :checksum);
