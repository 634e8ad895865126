"""Query filters of the escalation-engine resources (contract v1)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from escalations.models import AuditEvent, Escalation, Rule, Target, TargetKind, TriggerKey
from tickets.models import Agent, Team

from . import engine


class EscalationFilter(filters.FilterSet):
    ticket = filters.NumberFilter(field_name="ticket_id")
    trigger = filters.MultipleChoiceFilter(choices=TriggerKey.choices)
    rule = filters.NumberFilter(field_name="rule_id")
    from_agent = filters.ModelChoiceFilter(queryset=Agent.objects.all())
    to_agent = filters.ModelChoiceFilter(queryset=Agent.objects.all())
    acknowledged = filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Escalation
        fields = ["ticket", "trigger", "rule", "from_agent", "to_agent"]


class AuditEventFilter(filters.FilterSet):
    ticket = filters.NumberFilter(field_name="ticket_id")
    actor = filters.NumberFilter(field_name="actor_id")
    kind = filters.CharFilter()
    object_type = filters.CharFilter()
    object_id = filters.CharFilter()
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["ticket", "actor", "kind"]


class TeamOwnedFilter(filters.FilterSet):
    team = filters.ModelChoiceFilter(queryset=Team.objects.all())


class TargetFilter(TeamOwnedFilter):
    kind = filters.ChoiceFilter(choices=TargetKind.choices)

    class Meta:
        model = Target
        fields = ["team", "kind"]


class RuleFilter(TeamOwnedFilter):
    trigger = filters.ChoiceFilter(
        field_name="trigger_kind", choices=[(k, k) for k in engine.RULE_TRIGGER_KINDS]
    )

    class Meta:
        model = Rule
        fields = ["team", "enabled", "trigger", "target"]
