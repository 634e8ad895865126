"""The worst examples of a rule or trigger kind: one click from rule health. A thin adapter."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from escalations.models import Rule, TriggerKey
from reports.scope import report_scope
from reports.selectors import month_window, team_zone
from tickets.models import Agent, Team

from .precision import PRECISION_EXAMPLES, precision_examples


def examples_subject(
    *, team: Team, rule_param: str | None, trigger_param: str | None
) -> tuple[Rule | None, str | None]:
    """The rule (of the team's rule health) or trigger kind asked for; neither: every escalation
    of the team. ``ValidationError`` naming ``rule`` or ``trigger`` for bad input; ``Http404`` for
    a rule not on the team's list."""
    if rule_param and trigger_param:
        raise ValidationError({"rule": ["Give either rule (a rule id) or trigger (a kind)."]})
    if not rule_param and not trigger_param:
        return None, None
    if trigger_param:
        if trigger_param not in TriggerKey.values:
            raise ValidationError({"trigger": [f"Choose one of: {', '.join(TriggerKey.values)}."]})
        return None, trigger_param
    try:
        rule_id = int(rule_param or "")
    except ValueError:
        raise ValidationError({"rule": ["Enter a rule id (an integer)."]}) from None
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None or rule.team_id not in (None, team.pk):
        raise Http404("No such rule.")
    return rule, None


@login_required
@require_GET
def report_rule_examples(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, Agent)
    try:
        team, month, teams = report_scope(
            viewer=viewer,
            team_param=request.GET.get("team"),
            month_param=request.GET.get("month"),
        )
        rule, trigger = examples_subject(
            team=team, rule_param=request.GET.get("rule"), trigger_param=request.GET.get("trigger")
        )
    except ValidationError as error:
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()),
            content_type="text/plain",
        )
    window = month_window(month=month, zone=team_zone(team=team))
    examples = precision_examples(
        team=team, window=window, rule_id=rule.pk if rule else None, trigger=trigger
    )
    context = {
        "teams": teams,
        "team": team,
        "month": month,
        "rule": rule,
        "trigger_label": TriggerKey(trigger).label if trigger else "",
        "examples": examples,
        "limit": PRECISION_EXAMPLES,
    }
    return render(request, "reports/rule_examples.html", context)
