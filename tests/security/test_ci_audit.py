"""The CI stage that audits the locked dependencies: fails on a known vulnerability, warns only
when no vulnerability data could be read. Runs ``.ci/lib.sh``'s function against a stand-in
``pip-audit`` that answers as the real one does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = "django==5.2.19\nchannels==4.3.2\n"
CLEAN = "No known vulnerabilities found\n", 0
FOUND = (
    "Found 1 known vulnerability in 1 package\n"
    "Name   Version ID                  Fix Versions\n"
    "django 5.2.19  GHSA-xxxx-xxxx-xxxx 5.2.20\n",
    1,
)
UNREACHABLE = (
    "No known vulnerabilities found\n"
    "django   Dependency not found on PyPI and could not be audited: django (5.2.19)\n"
    "channels Dependency not found on PyPI and could not be audited: channels (4.3.2)\n",
    0,
)
PARTLY = (
    "No known vulnerabilities found\n"
    "channels Dependency not found on PyPI and could not be audited: channels (4.3.2)\n",
    0,
)
CRASH = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'\n", 1

STUB = """#!/usr/bin/env bash
service=pypi
for arg in "$@"; do [[ "$arg" == osv ]] && service=osv; done
echo "$service" >> calls
cat "answer-$service"
exit "$(cat "rc-$service")"
"""


def _run(tmp_path: Path, pypi: tuple[str, int], osv: tuple[str, int]) -> tuple[int, str, str]:
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "pip-audit").write_text(STUB)
    (venv / "pip-audit").chmod(0o755)
    (tmp_path / "requirements.lock").write_text(LOCK)
    for service, (answer, rc) in (("pypi", pypi), ("osv", osv)):
        (tmp_path / f"answer-{service}").write_text(answer)
        (tmp_path / f"rc-{service}").write_text(str(rc))
    result = subprocess.run(
        ["bash", "-c", f"source {ROOT / '.ci/lib.sh'}; dependencies_audit requirements.lock"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    calls = (tmp_path / "calls").read_text().split()
    return result.returncode, " ".join(calls), result.stdout


@pytest.mark.parametrize(
    ("pypi", "osv", "status", "calls"),
    [
        pytest.param(CLEAN, CRASH, 0, "pypi", id="clean"),
        pytest.param(FOUND, CLEAN, 1, "pypi", id="vulnerable-fails"),
        pytest.param(UNREACHABLE, FOUND, 1, "pypi osv", id="osv-finds-when-pypi-cannot"),
        pytest.param(UNREACHABLE, CLEAN, 0, "pypi osv", id="osv-clean-when-pypi-cannot"),
        pytest.param(UNREACHABLE, CRASH, 75, "pypi osv", id="no-data-warns"),
        pytest.param(CRASH, CRASH, 75, "pypi osv", id="crash-warns"),
    ],
)
def test_dependencies_audit(tmp_path, pypi, osv, status, calls):
    assert _run(tmp_path, pypi, osv)[:2] == (status, calls)


def test_partly_audited_passes_with_a_warning(tmp_path):
    status, calls, out = _run(tmp_path, PARTLY, CRASH)

    assert (status, calls) == (0, "pypi")
    assert "WARNING: 1 of 2 packages could not be audited (pypi)." in out
