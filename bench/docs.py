"""Writing benchmark figures into docs/benchmarks.md, one ``## section`` per scenario."""

from __future__ import annotations

import os
import platform
from pathlib import Path

DOCS_FILE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
DOCS_HEADING = "# KimonDesk benchmarks"


def benchmarks_section_write(title: str, body: str, path: Path = DOCS_FILE) -> None:
    """Replace (or append) the section headed ``## title``, leaving the others alone."""
    heading = f"## {title}"
    section = f"{heading}\n\n{body.strip(chr(10))}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{DOCS_HEADING}\n"
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = text.find("\n## ", start + len(heading))
        rest = text[following + 1 :] if following != -1 else ""
        text = text[:start] + section + ("\n" + rest if rest else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def cpu_model() -> str:
    """The processor's name as Linux reports it (machines of one size differ in speed)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def production_shape(*, web: int, clusters: int, workers: int = 2) -> str:
    """The process layout and machine a production-shape figure was measured on, in words."""
    return (
        f"{web} uvicorn web processes, {clusters} qcluster processes ({workers} workers each), "
        f"PostgreSQL + Redis on the same machine ({cpu_model()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})."
    )
