"""CSV exports: one function per table on the pages, the same figures as the HTML."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.http import HttpResponse

from .selectors import AgentMonth, AgentReport, HandoffStats, TeamReport


def _num(value: float | None, places: int = 4) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula (agent and rule names, ticket subjects),
    made literal with a leading apostrophe; numbers are left alone."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return response


RATE_HEADER = [
    "agent_id",
    "agent",
    "month",
    "tickets_handled",
    "escalations",
    "rate",
    "expected_escalations",
    "adjusted_rate",
    "manual",
    "automatic",
    "automatic_rate",
    "by_trigger",
]

HANDOFF_HEADER = [
    "escalations",
    "complete_handoffs",
    "complete_handoff_rate",
    "acknowledged",
    "acknowledged_within_15_min",
    "avg_minutes_to_acknowledge",
    "avg_minutes_to_first_action",
    "bounced",
    "solved_by_holder",
    "avoidable",
    "avoidable_rate",
]


def _handoff_cells(stats: HandoffStats) -> list[str]:
    return [
        str(stats.escalations),
        "" if stats.complete is None else str(stats.complete),
        _num(stats.complete_rate),
        str(stats.acknowledged),
        str(stats.acknowledged_quickly),
        _minutes(stats.avg_ack),
        _minutes(stats.avg_first_action),
        str(stats.bounced),
        str(stats.solved_by_holder),
        str(stats.avoidable),
        _num(stats.avoidable_rate),
    ]


def _rate_cells(row: AgentMonth) -> list[object]:
    return [
        row.agent.pk,
        str(row.agent),
        row.window.label,
        row.tickets_handled,
        row.escalations,
        _num(row.rate),
        _num(row.expected),
        _num(row.adjusted_rate),
        row.manual,
        row.automatic,
        _num(row.automatic_rate),
        ";".join(f"{k}={n}" for k, n in sorted(row.by_trigger.items())),
    ]


def report_rates_csv(*, report: TeamReport) -> HttpResponse:
    label = report.month.window.label
    rows = [_rate_cells(row) for row in report.month.rows]
    rows.append(
        [
            "",
            "team median",
            label,
            "",
            "",
            _num(report.month.team_median),
            "",
            _num(report.month.team_median_adjusted),
            "",
            "",
            "",
            "",
        ]
    )
    return csv_response(filename=f"escalation-rates-{label}.csv", header=RATE_HEADER, rows=rows)


def report_handoff_csv(*, report: TeamReport) -> HttpResponse:
    label = report.month.window.label
    return csv_response(
        filename=f"handoff-quality-{label}.csv",
        header=["agent_id", "agent", "month", *HANDOFF_HEADER],
        rows=[[s.key, s.label, label, *_handoff_cells(s)] for s in report.handoff],
    )


def report_prompts_csv(*, report: TeamReport) -> HttpResponse:
    label = report.month.window.label
    return csv_response(
        filename=f"coaching-prompts-{label}.csv",
        header=["agent_id", "agent", "month", "kind", "prompt", "evidence", "example_tickets"],
        rows=[
            [
                p.agent.pk,
                str(p.agent),
                label,
                p.kind,
                p.text,
                " | ".join(p.evidence),
                " ".join(f"/tickets/{t}/" for t in p.example_ticket_ids),
            ]
            for p in report.prompts
        ],
    )


def rule_health_csv(*, stats: list[HandoffStats], month_label: str) -> HttpResponse:
    return csv_response(
        filename=f"rule-health-{month_label}.csv",
        header=["rule_id", "rule", "month", *HANDOFF_HEADER],
        rows=[[s.key, s.label, month_label, *_handoff_cells(s)] for s in stats],
    )


def agent_trend_csv(*, report: AgentReport) -> HttpResponse:
    rows = [
        [*_rate_cells(row), _num(month.team_median), _num(month.team_median_adjusted)]
        for row, month in report.months
    ]
    return csv_response(
        filename=f"escalation-trend-{report.agent.pk}.csv",
        header=[*RATE_HEADER, "team_median", "team_median_adjusted"],
        rows=rows,
    )
