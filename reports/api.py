"""``GET /api/v1/reports/escalation-rate/?month=YYYY-MM&team=ID`` (contract v1)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.models import Agent, Team

from .scope import report_scope
from .services import team_report_fresh


def report_scope_api(request: Request) -> tuple[Team, date]:
    """``report_scope`` for the API: its errors as DRF's 400 (naming the field), 403 and 404."""
    viewer = request.user
    assert isinstance(viewer, Agent)
    try:
        team, month, _teams = report_scope(
            viewer=viewer,
            team_param=request.query_params.get("team"),
            month_param=request.query_params.get("month"),
        )
    except ValidationError as error:
        raise ApiValidationError(error.message_dict) from None
    except PermissionDenied as error:
        raise ApiPermissionDenied(str(error)) from None
    except Http404 as error:
        raise NotFound(str(error)) from None
    return team, month


class AgentRateSerializer(serializers.Serializer):
    agent = serializers.IntegerField(source="agent.pk")
    agent_name = serializers.CharField(source="agent.__str__")
    tickets_handled = serializers.IntegerField()
    escalations = serializers.IntegerField(
        help_text="Every escalation credited: manual + automatic."
    )
    rate = serializers.FloatField(
        allow_null=True,
        help_text="The coaching rate: manual (agent-initiated: by hand or the escalate tag) / "
        "tickets_handled. Automatic escalations are never in it.",
    )
    expected_escalations = serializers.FloatField(
        source="expected", allow_null=True, help_text="What the team's rates predict for this mix."
    )
    adjusted_rate = serializers.FloatField(
        allow_null=True, help_text="Rate adjusted for ticket mix (priority, tier, queue)."
    )
    by_trigger = serializers.DictField(child=serializers.IntegerField())
    manual = serializers.IntegerField(
        help_text="Agent-initiated escalations: started by hand or with the escalate tag."
    )
    automatic = serializers.IntegerField(
        help_text="Fired by rules on the customer's behaviour or the SLA clock; shown beside the "
        "rate, never in it."
    )
    automatic_rate = serializers.FloatField(
        allow_null=True, help_text="automatic / tickets_handled"
    )
    handoff_complete_rate = serializers.FloatField(
        allow_null=True, help_text="Complete handoffs among the agent-initiated escalations."
    )


class EscalationRateReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, in the team's timezone")
    team = serializers.IntegerField()
    team_median = serializers.FloatField(allow_null=True)
    team_median_adjusted = serializers.FloatField(allow_null=True)
    team_rate = serializers.FloatField(allow_null=True)
    team_automatic_rate = serializers.FloatField(allow_null=True)
    as_of = serializers.DateTimeField(help_text="The moment every figure of the report was read.")
    count = serializers.IntegerField()
    results = AgentRateSerializer(many=True)


class EscalationRateReportView(APIView):
    """Per-agent escalation rates of a team for a month, agents ordered by name."""

    bad_query = True  # a malformed ``month`` or ``team`` is a documented 400

    @extend_schema(
        operation_id="reports_escalation_rate",
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                description="YYYY-MM (default: the last complete month in the team's timezone)",
            ),
            OpenApiParameter("team", OpenApiTypes.INT, description="Team id (default: your team)"),
        ],
        responses={200: EscalationRateReportSerializer},
    )
    def get(self, request: Request) -> Response:
        team, month = report_scope_api(request)
        report = team_report_fresh(team=team, month=month, with_prompts=False)
        results = [
            {
                "agent": row.agent,
                "tickets_handled": row.tickets_handled,
                "escalations": row.escalations,
                "rate": row.rate,
                "expected": row.expected,
                "adjusted_rate": row.adjusted_rate,
                "by_trigger": row.by_trigger,
                "manual": row.manual,
                "automatic": row.automatic,
                "automatic_rate": row.automatic_rate,
                "handoff_complete_rate": handoff.complete_rate,
            }
            for row, handoff in report.rows_with_handoff
        ]
        data = {
            "month": report.month.window.label,
            "team": team.pk,
            "team_median": report.month.team_median,
            "team_median_adjusted": report.month.team_median_adjusted,
            "team_rate": report.month.team_rate,
            "team_automatic_rate": report.month.team_automatic_rate,
            "as_of": report.as_of,
            "count": len(results),
            "results": results,
        }
        return Response(EscalationRateReportSerializer(data).data)


urlpatterns = [
    path("escalation-rate/", EscalationRateReportView.as_view(), name="reports-escalation-rate"),
]
