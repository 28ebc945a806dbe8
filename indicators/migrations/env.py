"""Alembic's entry point: migrations run on the connection `indicators.db.upgrade` passes in (under the start-up
lock), or on $INDICATORS_DB / the `sqlalchemy.url` option when run by the `alembic` command itself."""
from __future__ import annotations

from alembic import context

from indicators.db import create_engine
from indicators.store import database_url

config = context.config


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:  # `alembic -c ... upgrade head` by hand
        engine = create_engine(database_url(config.get_main_option("sqlalchemy.url")))
        with engine.begin() as conn:
            _migrate(conn)
        return
    _migrate(conn)


def _migrate(conn) -> None:
    # render_as_batch: SQLite alters tables by copying them; Alembic's batch mode does that for us
    context.configure(connection=conn, target_metadata=None, render_as_batch=conn.dialect.name == "sqlite",
                      transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run `indicators db upgrade --db URL`")
run()
