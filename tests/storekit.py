"""Which store the suite runs on: $INDICATORS_TEST_DB (a SQLAlchemy URL of a server where the tests may create
databases), else SQLite. A module of its own, since `conftest` names more than one module in this tree."""
from __future__ import annotations

import os

TEST_DB = os.environ.get("INDICATORS_TEST_DB", "").strip()


def on_server() -> bool:
    """Whether the tests run on a database server (PostgreSQL) rather than SQLite files."""
    return bool(TEST_DB)
