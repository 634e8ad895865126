"""Accessibility checks in a real page: axe-core (pinned inside ``axe-playwright-python``, whose
axe.min.js is MPL-2.0 licensed) run against the WCAG 2.1 A and AA rules.

``axe_violations(page)`` injects axe-core into the page (through the DevTools protocol, so the
page's strict Content-Security-Policy does not block it) and returns the violations of the
blocking impacts, each with the selectors of the offending nodes; ``axe_report`` words them for
an assertion message. The ``axe`` fixture in ``conftest.py`` hands out ``axe_violations``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = ("critical", "serious")


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def words(self) -> str:
        return f"{self.impact} {self.rule} ({self.help}): {', '.join(self.targets)}"


def axe_violations(
    page: Any, *, impacts: tuple[str, ...] = BLOCKING_IMPACTS, context: Any = None
) -> list[Violation]:
    """The WCAG 2.1 A/AA violations of ``impacts`` on the page as it is now (or in ``context``,
    an axe context such as a selector)."""
    options = {
        "runOnly": {"type": "tag", "values": list(WCAG_21_AA_TAGS)},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, context=context, options=options)
    return [
        Violation(
            rule=found["id"],
            impact=found["impact"],
            help=found["help"],
            targets=tuple(" ".join(map(str, node["target"])) for node in found["nodes"]),
        )
        for found in results.response["violations"]
        if found["impact"] in impacts
    ]


def axe_report(where: str, violations: list[Violation]) -> str:
    return f"{where}: " + "; ".join(v.words() for v in violations)
