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


def steps_changed(path: Path, steps: list[dict[str, Any]]) -> str:
    """For a snapshot of steps (``[{"step": name, "<field>": {group: [...]}}, ...]``): one line
    per step that differs from the committed one, naming the groups that differ, to head the
    diff."""
    if not path.exists():
        return ""
    committed = {entry["step"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))}
    now = {entry["step"]: entry for entry in steps}
    lines = []
    for name in [*committed, *(n for n in now if n not in committed)]:
        before, after = committed.get(name), now.get(name)
        if before == after:
            continue
        if before is None or after is None:
            lines.append(f"  - {name}: {'new step' if before is None else 'step gone'}")
            continue
        groups = sorted(
            group
            for field in before.keys() & after.keys()
            if isinstance(before[field], dict) and isinstance(after[field], dict)
            for group in before[field].keys() | after[field].keys()
            if before[field].get(group) != after[field].get(group)
        )
        lines.append(f"  - {name}: {', '.join(groups)}")
    return "Steps that differ:\n" + "\n".join(lines) + "\n\n" if lines else ""


def snapshot_compare(path: Path, generated: str, *, summary: str = "") -> None:
    """Fail with a unified diff (snapshot → generated) unless they are equal; ``summary``
    heads the diff."""
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
        + summary
        + "\n".join(shown),
        pytrace=False,
    )
