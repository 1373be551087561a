-- name: applied_versions()
-- Versions the migration runner recorded.
select version from schema_migrations order by version;

-- name: table_exists(name)$
-- Whether a table of that name exists.
select to_regclass(:name) is not null;
