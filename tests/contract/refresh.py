"""Rewrite the contract snapshots from the code as it is: ``python -m tests.contract.refresh``.

Only for an intended change of the API schema or of the live events; review the diff of
``tests/contract/openapi.yaml``, ``ws_events.json`` and ``ws_presence.json`` and commit it with the change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.contract.snapshots import REFRESH_ENV


def main() -> int:
    os.environ[REFRESH_ENV] = "1"
    return int(pytest.main([str(Path(__file__).resolve().parent), "-q"]))


if __name__ == "__main__":
    sys.exit(main())
