"""Accounts of a team server: users with a role and an argon2 password hash, in the store's database (migration
0004), so every worker and host sees the same users.

A viewer reads and downloads; a reviewer also uploads reports and edits claims; an admin also manages users.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import ErrorKind, IndicatorsError
from .store import metadata

users = sa.Table(
    "users", metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

_HASHER = PasswordHasher()  # argon2id with the library's current parameters
MIN_PASSWORD = 8


class Role(StrEnum):
    VIEWER = "viewer"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may (roles are ordered: viewer < reviewer < admin)."""
        order = list(Role)
        return order.index(self) >= order.index(Role(needed))


class AccountError(IndicatorsError):
    """A user that cannot be added or found; says why."""

    default_kind = ErrorKind.INVALID


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def can(self, needed: Role) -> bool:
        return self.role.allows(needed)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 255 or any(c.isspace() or not c.isprintable() for c in name):
        raise AccountError(f"a user name is 1 to 255 printable characters without spaces, got {name!r}")
    return name


def add(engine: sa.Engine, name: str, role: Role | str, password: str, replace: bool = False) -> User:
    """Add a user (or, with `replace`, set an existing user's role and password). Raises AccountError for a
    bad name, role or password, or a name already taken."""
    name = _check_name(name)
    role = _role(role)
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    row = {"role": role.value, "password_hash": _HASHER.hash(password), "created_at": datetime.now(UTC)}
    with engine.begin() as conn:
        exists = conn.execute(sa.select(users.c.name).where(users.c.name == name).with_for_update()).first()
        if exists and not replace:
            raise AccountError(f"user {name!r} exists already (use --replace to set a new role and password)")
        if exists:
            conn.execute(users.update().where(users.c.name == name).values(**row))
        else:
            conn.execute(users.insert().values(name=name, **row))
    return User(name, role)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; one of {', '.join(Role)}") from None


def _still_an_admin(conn, name: str) -> None:
    """Raise AccountError when `name` is the last admin among other users (nobody could manage users then).
    Runs inside the caller's transaction, with the users' rows locked (PostgreSQL), so two admins demoting each
    other at once cannot both succeed."""
    rows = conn.execute(sa.select(users.c.name, users.c.role).with_for_update()).all()
    admins = {r.name for r in rows if r.role == Role.ADMIN}
    if admins == {name} and len(rows) > 1:
        raise AccountError(f"{name!r} is the last admin: make another user admin first")


def set_role(engine: sa.Engine, name: str, role: Role | str, keep_admin: bool = True) -> User:
    """Give an existing user another role. Raises AccountError for an unknown user or role, or (with
    `keep_admin`) when that would leave users without an admin."""
    role = _role(role)
    with engine.begin() as conn:
        if keep_admin and role is not Role.ADMIN:
            _still_an_admin(conn, name)
        if not conn.execute(users.update().where(users.c.name == name).values(role=role.value)).rowcount:
            raise AccountError(f"no user {name!r}")
    return User(name, role)


def remove(engine: sa.Engine, name: str, keep_admin: bool = False) -> bool:
    """Remove a user; False when there was none. With `keep_admin`, AccountError instead of removing the last
    admin while other users remain."""
    with engine.begin() as conn:
        if keep_admin:
            _still_an_admin(conn, name)
        return bool(conn.execute(users.delete().where(users.c.name == name)).rowcount)


def get(engine: sa.Engine, name: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(users.c.name, users.c.role).where(users.c.name == name)).first()
    return User(row.name, Role(row.role)) if row else None


def listing(engine: sa.Engine) -> list[dict]:
    """Every user as {name, role, created_at (ISO text)}, by name: the admin page's table (never the hash)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(users.c.name, users.c.role, users.c.created_at).order_by(users.c.name))
        return [{"name": r.name, "role": r.role, "created_at": r.created_at.isoformat() if r.created_at else ""}
                for r in rows]


def all_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [User(r.name, Role(r.role)) for r in conn.execute(sa.select(users.c.name, users.c.role)
                                                                  .order_by(users.c.name))]


def count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()


def verify(engine: sa.Engine, name: str, password: str) -> User | None:
    """The user if the password is theirs, else None (an unknown name costs a hash too, so timing tells nothing)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == (name or "").strip())).mappings().first()
    try:
        if row is None:
            _HASHER.verify(_dummy_hash(), password or "")
            return None
        _HASHER.verify(row["password_hash"], password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(row["password_hash"]):  # parameters raised since: store the stronger hash
        with engine.begin() as conn:
            conn.execute(users.update().where(users.c.name == row["name"])
                         .values(password_hash=_HASHER.hash(password)))
    return User(row["name"], Role(row["role"]))


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("not the password of anyone")
