"""pytest plugin for mutation runs (``tools/mutate.py``): one test database per process.

mutmut forks one process per mutant from the process that imported the settings, so every child
would create and drop the same SQLite test file at once. Each test session renames it after its
own process id before pytest-django creates it.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connections

_BASE_NAMES: dict[str, str] = {}


def pytest_sessionstart(session: Any) -> None:
    for alias in connections:
        test = connections[alias].settings_dict.setdefault("TEST", {})
        base = _BASE_NAMES.setdefault(alias, str(test.get("NAME") or "test_mutation"))
        test["NAME"] = f"{base}_{os.getpid()}"
