"""Report pages and their CSV exports: thin adapters over ``reports.selectors``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tickets.macros.selectors import macro_usage
from tickets.models import Agent, Team

from . import csv as report_csv
from .charts import Series, distribution_chart_svg, line_chart_svg, rate_bins
from .coaching.selectors import team_escalation_topics
from .decisions.outcomes import agent_escalation_outcomes
from .decisions.precision import rule_precision, trigger_precision
from .scope import report_scope
from .selectors import (
    AgentReport,
    messages_unscored_by_language,
    month_choice,
    month_default,
    month_parse,
    month_window,
    refunds_not_compared,
    report_agent_visible_to,
    rule_health,
    team_zone,
)
from .services import agent_report_fresh, team_report_fresh


def _viewer(request: HttpRequest) -> Agent:
    user = request.user
    assert isinstance(user, Agent)
    return user


def _refusal(request: HttpRequest, reason: str) -> HttpResponse:
    """The page an agent gets for a team report they may not open: why, and where to go."""
    viewer = _viewer(request)
    own_page = reverse("reports:agent", args=[viewer.pk]) if viewer.team_id else None
    return render(
        request, "reports/forbidden.html", {"reason": reason, "own_page": own_page}, status=403
    )


def _scope_or_400(request: HttpRequest) -> tuple[Team, date, list[Team]] | HttpResponse:
    try:
        return report_scope(
            viewer=_viewer(request),
            team_param=request.GET.get("team"),
            month_param=request.GET.get("month"),
        )
    except PermissionDenied as error:
        return _refusal(request, str(error))
    except ValidationError as error:
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()),
            content_type="text/plain",
        )


def _team_page(
    request: HttpRequest, template: str, build: Callable[[Team, date], dict[str, Any]]
) -> HttpResponse:
    scope = _scope_or_400(request)
    if isinstance(scope, HttpResponse):
        return scope
    team, month, teams = scope
    context = {
        "teams": teams,
        "team": team,
        "month": month,
        "choice": month_choice(team=team, month=month),
        **build(team, month),
    }
    return render(request, template, context)


def report_overview_context(team: Team, month: date) -> dict[str, Any]:
    """The overview's report, charts and chart tables (also what the volume benchmark times)."""
    report = team_report_fresh(team=team, month=month)
    current = report.month
    rates = [row.rate for row in current.rows if row.rate is not None]
    bins = rate_bins(rates=rates)
    label = current.window.month.strftime("%B %Y")
    distribution = distribution_chart_svg(
        chart_id="chart-distribution",
        title=f"Coaching rates of the {len(rates)} agents of {team.name} with tickets, {label}",
        desc=(
            f"How many agents fall in each band of coaching rate; the team median is "
            f"{_pct_text(current.team_median)}. The table below the chart has the same numbers."
        ),
        bins=bins,
        median=current.team_median,
    )
    labels = [m.window.label for m in report.trend]
    trend = line_chart_svg(
        chart_id="chart-trend",
        title=f"{team.name}: escalation rates, last {len(labels)} months",
        desc=(
            "Team coaching rate, team median of agents' coaching rates, and the automatic rate "
            "per month. The table below the chart has the same numbers."
        ),
        labels=labels,
        series=[
            Series("Team coaching rate", "s-raw", [m.team_rate for m in report.trend]),
            Series("Team median", "s-median", [m.team_median for m in report.trend], dashed=True),
            Series("Automatic rate", "s-auto", [m.team_automatic_rate for m in report.trend]),
        ],
    )
    return {
        "report": report,
        "distribution": distribution,
        "bins": bins,
        "trend_chart": trend,
        "agents_with_rate": len(rates),
        "topics": team_escalation_topics(
            team=team, window=current.window, agents=[row.agent for row in current.rows]
        ),
    }


def _pct_text(value: float | None) -> str:
    return "not available" if value is None else f"{value * 100:.1f}%"


@login_required
@require_GET
def report_overview(request: HttpRequest) -> HttpResponse:
    return _team_page(request, "reports/overview.html", report_overview_context)


@login_required
@require_GET
def report_rules(request: HttpRequest) -> HttpResponse:
    return _team_page(request, "reports/rules.html", _rules_context)


def _rules_context(team: Team, month: date) -> dict[str, Any]:
    window = month_window(month=month, zone=team_zone(team=team))
    unscored = messages_unscored_by_language(team=team, window=window)
    return {
        "stats": rule_health(team=team, window=window),
        "precision": rule_precision(team=team, window=window),
        "trigger_precision": trigger_precision(team=team, window=window),
        "unscored": unscored,
        "unscored_total": sum(unscored.values()),
        "refunds_not_compared": refunds_not_compared(team=team, window=window),
    }


@login_required
@require_GET
def report_macros(request: HttpRequest) -> HttpResponse:
    """The team's macros in the month: used how often and by whom, and never used."""
    return _team_page(request, "reports/macros.html", _macros_context)


def _macros_context(team: Team, month: date) -> dict[str, Any]:
    window = month_window(month=month, zone=team_zone(team=team))
    return {"usage": macro_usage(team=team, start=window.start, end=window.end)}


EXPORTS = {"rates", "handoff", "prompts", "rules"}


@login_required
@require_GET
def report_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in EXPORTS:
        raise Http404("No such table.")
    scope = _scope_or_400(request)
    if isinstance(scope, HttpResponse):
        return scope
    team, month, _teams = scope
    if table == "rules":
        window = month_window(month=month, zone=team_zone(team=team))
        return report_csv.rule_health_csv(
            stats=rule_health(team=team, window=window), month_label=window.label
        )
    report = team_report_fresh(team=team, month=month, with_prompts=table == "prompts")
    if table == "rates":
        return report_csv.report_rates_csv(report=report)
    if table == "handoff":
        return report_csv.report_handoff_csv(report=report)
    return report_csv.report_prompts_csv(report=report)


def _agent_report_or_404(request: HttpRequest, agent_id: int) -> AgentReport | HttpResponse:
    agent = report_agent_visible_to(viewer=_viewer(request), agent_id=agent_id)
    if agent is None or agent.team is None:
        raise Http404("No such report.")
    try:
        month = month_parse(value=request.GET.get("month"), default=month_default(team=agent.team))
    except ValidationError as error:
        return HttpResponseBadRequest(
            " ".join(error.message_dict["month"]), content_type="text/plain"
        )
    report = agent_report_fresh(agent=agent, month=month)
    if report is None:
        raise Http404("No such report.")
    return report


@login_required
@require_GET
def report_agent(request: HttpRequest, agent_id: int) -> HttpResponse:
    report = _agent_report_or_404(request, agent_id)
    if isinstance(report, HttpResponse):
        return report
    labels = [m.window.label for m in report.trend]
    chart = line_chart_svg(
        chart_id="chart-agent-trend",
        title=f"Coaching rate of {report.agent}, last {len(labels)} months",
        desc=(
            "The agent's coaching rate, unadjusted and adjusted for ticket mix, against the "
            "team median, per month. The table below the chart has the same numbers."
        ),
        labels=labels,
        series=[
            Series("Coaching rate (unadjusted)", "s-raw", [row.rate for row, _ in report.months]),
            Series(
                "Rate adjusted for ticket mix",
                "s-adjusted",
                [row.adjusted_rate for row, _ in report.months],
            ),
            Series(
                "Team median (unadjusted)",
                "s-median",
                [m.team_median for m in report.trend],
                dashed=True,
            ),
        ],
    )
    choice = month_choice(team=report.team, month=report.current.window.month)
    outcomes = agent_escalation_outcomes(agent=report.agent, window=report.current.window)
    topics = team_escalation_topics(
        team=report.team, window=report.current.window, agents=[report.agent]
    )
    return render(
        request,
        "reports/agent.html",
        {
            "report": report,
            "chart": chart,
            "choice": choice,
            "outcomes": outcomes,
            "topics": topics,
        },
    )


@login_required
@require_GET
def report_agent_export(request: HttpRequest, agent_id: int) -> HttpResponse:
    report = _agent_report_or_404(request, agent_id)
    if isinstance(report, HttpResponse):
        return report
    return report_csv.agent_trend_csv(report=report)
