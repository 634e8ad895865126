"""``GET /api/v1/reports/rule-health/?month=YYYY-MM&team=ID``: rule precision from receivers'
feedback, per rule and per trigger kind. A thin adapter over ``reports.decisions.precision``."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.api import report_scope_api
from reports.selectors import month_window, refunds_not_compared, team_zone

from .precision import PrecisionRow, rule_precision, trigger_precision


class PrecisionRowSerializer(serializers.Serializer):
    fired = serializers.IntegerField(help_text="Escalations of the month.")
    feedback_given = serializers.IntegerField(source="judged")
    feedback_coverage = serializers.FloatField(
        source="coverage", allow_null=True, help_text="feedback_given / fired"
    )
    judged_needed = serializers.IntegerField(source="needed")
    needed_share = serializers.FloatField(
        allow_null=True, help_text="judged_needed / feedback_given (null without feedback)"
    )
    not_needed_reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text="Reason code ('' = none given) → count."
    )
    examples_url = serializers.SerializerMethodField(
        help_text="The page listing the escalations judged not needed."
    )

    def get_examples_url(self, row: PrecisionRow) -> str:
        param = self.context["param"]
        query = f"team={self.context['team']}&month={self.context['month']}&{param}={row.key}"
        return f"{reverse('reports:rule_examples')}?{query}"


class RulePrecisionSerializer(PrecisionRowSerializer):
    rule = serializers.IntegerField(source="key")
    name = serializers.CharField(source="label")


class TriggerPrecisionSerializer(PrecisionRowSerializer):
    trigger = serializers.CharField(source="key")
    trigger_label = serializers.CharField(source="label")


class RuleHealthReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, in the team's timezone")
    team = serializers.IntegerField()
    rules = RulePrecisionSerializer(many=True)
    triggers = TriggerPrecisionSerializer(many=True)
    refunds_not_compared = serializers.IntegerField(
        help_text=(
            "Refund requests of the month that a refund-threshold rule in another currency "
            "could not compare: no exchange rate was in force on their date."
        )
    )


class RuleHealthReportView(APIView):
    """Per rule of the team (by name) and per trigger kind: fires, feedback coverage, share
    judged needed, not-needed reasons; and the refunds no exchange rate let a rule compare.
    Leads (their team) and admins."""

    @extend_schema(
        operation_id="reports_rule_health",
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, description="YYYY-MM (default: this month)"
            ),
            OpenApiParameter("team", OpenApiTypes.INT, description="Team id (default: your team)"),
        ],
        responses={200: RuleHealthReportSerializer},
    )
    def get(self, request: Request) -> Response:
        team, month = report_scope_api(request)
        window = month_window(month=month, zone=team_zone(team=team))
        context = {"team": team.pk, "month": window.label}
        data = {
            "month": window.label,
            "team": team.pk,
            "rules": RulePrecisionSerializer(
                rule_precision(team=team, window=window),
                many=True,
                context={**context, "param": "rule"},
            ).data,
            "triggers": TriggerPrecisionSerializer(
                trigger_precision(team=team, window=window),
                many=True,
                context={**context, "param": "trigger"},
            ).data,
            "refunds_not_compared": refunds_not_compared(team=team, window=window),
        }
        return Response(data)


urlpatterns = [
    path("rule-health/", RuleHealthReportView.as_view(), name="reports-rule-health"),
]
