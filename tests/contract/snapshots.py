"""Compare generated contract text with its committed snapshot, or rewrite the snapshot.

``KD_CONTRACT_REFRESH=1`` (set by ``python -m tests.contract.refresh`` and
``make contract-snapshot``) writes the snapshots instead of comparing: do that only when the API or
the live events change on purpose, and commit the new files with the change that made them.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OPENAPI = HERE / "openapi.yaml"
WS_EVENTS = HERE / "ws_events.json"
WS_PRESENCE = HERE / "ws_presence.json"
REFRESH_ENV = "KD_CONTRACT_REFRESH"
REFRESH_COMMAND = "make contract-snapshot  (or: .venv/bin/python -m tests.contract.refresh)"
DIFF_LINES_MAX = 400


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def snapshot_compare(path: Path, generated: str) -> None:
    """Fail with a unified diff (snapshot → generated) unless they are equal."""
    if os.environ.get(REFRESH_ENV) == "1":
        path.write_text(generated, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    if generated == expected:
        return
    diff = list(
        difflib.unified_diff(
            expected.splitlines(),
            generated.splitlines(),
            fromfile=f"{path.name} (committed snapshot)",
            tofile=f"{path.name} (generated now)",
            lineterm="",
        )
    )
    shown = diff[:DIFF_LINES_MAX]
    if len(diff) > DIFF_LINES_MAX:
        shown.append(f"... {len(diff) - DIFF_LINES_MAX} more diff lines")
    pytest.fail(
        f"{path.name} differs from what the code produces now.\n"
        f"If the change is intended, refresh the snapshot with: {REFRESH_COMMAND}\n\n"
        + "\n".join(shown),
        pytrace=False,
    )
