"""PostgreSQL: the pool, migrations, and typed stores over the named queries in sql/queries."""
