"""Connections to the store's database: engine settings, fork safety, the start-up lock, schema migrations,
write transactions and bounded retries.

The store (store.py) says *what* is written; this module says *how* a database is reached and kept safe when
several processes (gunicorn workers, hosts, CLI ingests) share it:

- engine settings (`DbSettings`) come from the environment: pool size, pre-ping, connect and statement timeouts;
- after `fork()` a child drops the pooled connections it inherited (gunicorn `--preload`), never sharing a socket;
- `startup_lock` is a database-wide lock (an advisory lock on PostgreSQL, a write transaction on SQLite) under
  which migrations and the first seeding run, so several workers or hosts starting at once do it once;
- `upgrade` runs the Alembic migrations under `indicators/migrations/`; `require_current` refuses a database that
  is behind the code;
- `write_transaction` starts a transaction that already holds SQLite's write lock (PostgreSQL locks rows itself);
- `retrying` runs a write again on a transient failure, a bounded number of times, and says so when it gives up.
"""
from __future__ import annotations

import contextlib
import functools
import os
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .errors import ErrorKind, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_lock key of the start-up lock: any fixed 64-bit number the app's other locks do not use
STARTUP_LOCK_KEY = 0x1D1CA7025


class DatabaseUnavailable(StoreError):
    """The database cannot be reached (down, restarting, hung past the timeouts); the dashboard answers 503."""

    default_kind = ErrorKind.UNAVAILABLE


class NotMigrated(StoreError):
    """The database's schema is older than the code (or has none): `indicators db upgrade` is needed."""

    default_kind = ErrorKind.INVALID


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"${name} must be a number, got {raw!r}") from None
    if value < 0:
        raise StoreError(f"${name} must not be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class DbSettings:
    """How connections are made and pooled. Timeouts in seconds (0: none).

    Read from $INDICATORS_DB_POOL_SIZE, _MAX_OVERFLOW, _POOL_TIMEOUT, _CONNECT_TIMEOUT, _STATEMENT_TIMEOUT,
    _PRE_PING (0 to turn the liveness check off) and _COPY_ROWS."""
    pool_size: int = 5
    max_overflow: int = 10
    pool_timeout: float = 10.0  # waiting for a free pooled connection
    connect_timeout: float = 5.0  # reaching the server
    statement_timeout: float = 30.0  # one statement on the server (PostgreSQL); SQLite's busy timeout is the same
    pre_ping: bool = True  # a pooled connection is tested before use, so a restarted server costs no failed request
    copy_rows: int = 100_000  # rows per COPY of a CSV download on PostgreSQL, held in memory at once (~25 MB)

    @classmethod
    def from_env(cls) -> DbSettings:
        return cls(pool_size=int(_env_number("INDICATORS_DB_POOL_SIZE", cls.pool_size)),
                   max_overflow=int(_env_number("INDICATORS_DB_MAX_OVERFLOW", cls.max_overflow)),
                   pool_timeout=_env_number("INDICATORS_DB_POOL_TIMEOUT", cls.pool_timeout),
                   connect_timeout=_env_number("INDICATORS_DB_CONNECT_TIMEOUT", cls.connect_timeout),
                   statement_timeout=_env_number("INDICATORS_DB_STATEMENT_TIMEOUT", cls.statement_timeout),
                   pre_ping=_env_number("INDICATORS_DB_PRE_PING", 1) != 0,
                   copy_rows=max(1, int(_env_number("INDICATORS_DB_COPY_ROWS", cls.copy_rows))))


_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # the parent's pooled connections are its sockets: a child that used them would interleave its protocol
    # messages with the parent's ("lost synchronization with server"). close=False leaves them open for the parent.
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def create_engine(url: str, settings: DbSettings | None = None) -> sa.Engine:
    """An engine for `url` with the settings (default: from the environment); safe across fork()."""
    settings = settings or DbSettings.from_env()
    u = sa.engine.make_url(url)
    kwargs: dict = {"pool_pre_ping": settings.pre_ping}
    connect_args: dict = {}
    if u.get_backend_name() == "sqlite":
        if u.database not in (None, "", ":memory:"):
            kwargs.update(pool_size=settings.pool_size, max_overflow=settings.max_overflow,
                          pool_timeout=settings.pool_timeout or None)
    else:
        kwargs.update(pool_size=settings.pool_size, max_overflow=settings.max_overflow,
                      pool_timeout=settings.pool_timeout or None, pool_recycle=1800)
        if u.get_backend_name() == "postgresql":
            if settings.connect_timeout:
                connect_args["connect_timeout"] = max(1, round(settings.connect_timeout))
            # JIT compiling a plan costs 50-200 ms, more than any of the dashboard's short queries gains from it
            options = ["-c jit=off"]
            if settings.statement_timeout:
                options.append(f"-c statement_timeout={int(settings.statement_timeout * 1000)}")
            if options:
                connect_args["options"] = " ".join(options)
            # a server that vanished without closing the socket is noticed by TCP keepalives, not after hours
            connect_args.update(keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
    engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
    if engine.dialect.name == "sqlite":
        busy_ms = int((settings.statement_timeout or 30.0) * 1000)
        sa.event.listen(engine, "connect", lambda dbapi_conn, _rec: _sqlite_pragmas(dbapi_conn, busy_ms))
    _ENGINES.add(engine)
    return engine


def _sqlite_pragmas(dbapi_conn, busy_ms: int) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the ingest, a killed writer leaves no trace
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    # with WAL, NORMAL syncs at checkpoints, not every commit: a killed process still loses nothing committed
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


# ------------------------------------------------------------------------------------------- transactions

@contextmanager
def write_transaction(engine: sa.Engine):
    """A transaction for a read-then-write: on SQLite it takes the write lock first (BEGIN IMMEDIATE), so what it
    reads cannot change before it writes; on PostgreSQL the caller locks the rows it depends on (FOR UPDATE).
    Commits when the block ends, rolls back when it raises."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn
        conn.commit()


@contextmanager
def startup_lock(engine: sa.Engine):
    """Held while one process migrates and seeds the database: others starting at the same time wait for it.

    PostgreSQL: a session advisory lock (works across hosts; released if the holder dies). SQLite: a write
    transaction (BEGIN IMMEDIATE) on the yielded connection: run the migration on that connection."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": STARTUP_LOCK_KEY})
            conn.commit()
            try:
                yield conn
            finally:
                if conn.in_transaction():
                    conn.rollback()
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": STARTUP_LOCK_KEY})
                conn.commit()
        else:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()


TRANSIENT = ("locked", "busy", "serializ", "deadlock")


def is_unavailable(exc: BaseException) -> bool:
    """Whether a database error means the server cannot be reached (rather than a refused statement)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, sa.exc.TimeoutError):  # no pooled connection came free
        return True
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
        text = str(getattr(exc, "orig", exc)).lower()
        return any(w in text for w in ("connection", "could not connect", "server closed", "terminating",
                                       "timeout expired", "the database system is", "no route", "refused",
                                       "canceling statement due to statement timeout", "ssl syscall",
                                       "unable to open database file"))
    return False


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return DatabaseUnavailable(f"the database {safe_url(url)} is unavailable ({first[0] if first else type(exc).__name__});"
                               f" it is retried on the next request")


def retrying(write, what: str, attempts: int = 6, already_there: bool = True):
    """Run `write()` (one whole transaction) again when it lost a race: another writer held SQLite past the busy
    timeout, PostgreSQL found a deadlock or a serialization failure, or (with `already_there`) a unique key was
    written by a concurrent writer in the meantime, so that the next attempt sees it and skips it. At most
    `attempts` tries with a growing pause; then StoreError says how many were made and why the last failed."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except (sa.exc.OperationalError, sa.exc.IntegrityError) as exc:
            text = str(getattr(exc, "orig", exc)).lower()
            raced = (already_there and isinstance(exc, sa.exc.IntegrityError)
                     and ("unique" in text or "duplicate" in text or "pkey" in text))
            if not raced and not (isinstance(exc, sa.exc.OperationalError) and any(w in text for w in TRANSIENT)):
                raise
            if attempt == attempts:
                raise StoreError(f"could not {what}: gave up after {attempts} attempts, each lost a race with another "
                                 f"writer ({exc.__class__.__name__}: {str(getattr(exc, 'orig', exc)).strip()})") from None
            time.sleep(min(2.0, 0.05 * 2 ** attempt))


# ------------------------------------------------------------------------------------------- shared settings

# key/value rows every worker and host of one database agrees on (created by migration 0004)
settings_table = sa.Table("settings", sa.MetaData(), sa.Column("key", sa.String(64), primary_key=True),
                          sa.Column("value", sa.Text, nullable=False))


def setting(conn, key: str) -> str | None:
    return conn.execute(sa.select(settings_table.c.value).where(settings_table.c.key == key)).scalar()


def claim_setting(conn, key: str, value: str) -> str:
    """Set `key` unless it is set already; returns the value that holds (a concurrent writer's, if it won)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(settings_table).values(key=key, value=value).on_conflict_do_nothing())
    return setting(conn, key)


def _set_setting(conn, key: str, value: str) -> None:
    conn.execute(settings_table.update().where(settings_table.c.key == key).values(value=value))


def seed_once(engine: sa.Engine, is_empty, seed, wait: float = 600.0) -> bool:
    """Run `seed()` once for the database's whole life, however many workers and hosts start at the same time;
    returns whether this process seeded. The others return once the seeding is done.

    The claim (a `seeded` setting, written only while `is_empty()`) is made under the start-up lock. On
    PostgreSQL the lock is held while seeding, so the others wait on it; on SQLite, where the lock is the single
    write transaction (seeding needs it too), the others poll the setting until it says done, at most `wait`
    seconds, or until the seeding process is found dead on this host."""
    import socket

    me = f"{socket.gethostname()}:{os.getpid()}"
    with startup_lock(engine) as conn:
        state = setting(conn, "seeded")
        claimed = state is None and is_empty() and claim_setting(conn, "seeded", f"seeding by {me}") == f"seeding by {me}"
        conn.commit()
        if claimed and engine.dialect.name != "sqlite":
            try:
                seed()
            finally:  # even when it failed half-way: the others go on with the reports stored (each whole)
                _set_setting(conn, "seeded", f"done by {me}")
                conn.commit()
            return True
    if claimed:
        try:
            seed()
        finally:
            with write_transaction(engine) as conn:
                _set_setting(conn, "seeded", f"done by {me}")
        return True
    deadline = time.monotonic() + wait
    while state and state.startswith("seeding by ") and time.monotonic() < deadline:
        host, _, pid = state[len("seeding by "):].rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and not _running(int(pid)):
            break  # the seeding process died: go on with what it stored (reports are stored whole or not at all)
        time.sleep(0.2)
        with engine.connect() as conn:
            state = setting(conn, "seeded")
    return False


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ------------------------------------------------------------------------------------------- migrations

def index_names(bind, table: str) -> set[str]:
    """The names of a table's indexes, those on expressions too (SQLAlchemy's inspector skips them on SQLite).
    `bind`: an engine or a connection."""
    if bind.dialect.name == "sqlite":
        with (bind.connect() if isinstance(bind, sa.Engine) else contextlib.nullcontext(bind)) as conn:
            rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                                        (table,)).all()
        return {name for (name,) in rows if not name.startswith("sqlite_autoindex")}
    return {ix["name"] for ix in sa.inspect(bind).get_indexes(table)}


def _alembic_config(conn=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


@functools.cache
def head() -> str:
    """The revision the code needs (read once from indicators/migrations/versions)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current(conn) -> str | None:
    """The database's revision (None: no migration ever ran)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to `revision` under the start-up lock; returns (revision before, revision after).

    Safe to run from several processes at once: the others wait, then find nothing to do. A database made before
    migrations existed is adopted: the first migrations create only what is missing."""
    from alembic import command

    with startup_lock(engine) as conn:
        before = current(conn)
        command.upgrade(_alembic_config(conn), revision)
        after = current(conn)
        conn.commit()  # the migration ran inside the connection's transaction (transactional DDL on both stores)
    return before, after


def require_current(engine: sa.Engine, url: str) -> None:
    """Raise NotMigrated, with the command to run, when the database is not at the code's revision."""
    with engine.connect() as conn:
        have = current(conn)
    need = head()
    if have != need:
        state = "has no schema yet" if have is None else f"is at schema revision {have}"
        raise NotMigrated(f"the database {safe_url(url)} {state}; this version needs {need}. Migrate it first with: "
                          f"indicators db upgrade --db '{safe_url(url)}'")


def engine_ready(engine: sa.Engine, url: str, migrate: bool) -> None:
    """Bring the schema to the code's revision (`migrate`) or check that it is there."""
    if migrate:
        with engine.connect() as conn:
            if current(conn) == head():  # the usual case: no lock to wait for
                return
        upgrade(engine)
    else:
        require_current(engine, url)

