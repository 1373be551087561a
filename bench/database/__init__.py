"""The database benchmarks: making a reservation (`python -m bench.database.create`) and looking
reservations up by phone over HTTP (`python -m bench.database.lookup`), each against the same
operation written with the SQLAlchemy ORM (`orm`, `orm_app`) and, for the lookup, a bare FastAPI
+ asyncpg calibration (`bare_app`). They need the `bench` dependency group (SQLAlchemy)."""
