"""Query filters of the escalation-engine resources (contract v1)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from escalations.engine.triggers import RULE_TRIGGER_KINDS
from escalations.models import AuditEvent, Escalation, Rule, Target, TargetKind, TriggerKey
from kimondesk.api.filters import UtcIsoDateTimeFilter
from kimondesk.api.ids import IdFilter


class EscalationFilter(filters.FilterSet):
    ticket = IdFilter(field_name="ticket_id")
    trigger = filters.MultipleChoiceFilter(choices=TriggerKey.choices)
    rule = IdFilter(field_name="rule_id")
    from_agent = IdFilter(field_name="from_agent_id")
    to_agent = IdFilter(field_name="to_agent_id")
    acknowledged = filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Escalation
        fields = ["ticket", "trigger", "rule", "from_agent", "to_agent"]


class AuditEventFilter(filters.FilterSet):
    ticket = IdFilter(field_name="ticket_id")
    actor = IdFilter(field_name="actor_id")
    kind = filters.CharFilter()
    object_type = filters.CharFilter()
    object_id = filters.CharFilter()
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["ticket", "actor", "kind"]


class TeamOwnedFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id")


class TargetFilter(TeamOwnedFilter):
    kind = filters.ChoiceFilter(choices=TargetKind.choices)

    class Meta:
        model = Target
        fields = ["team", "kind"]


class RuleFilter(TeamOwnedFilter):
    trigger = filters.ChoiceFilter(
        field_name="trigger_kind", choices=[(k, k) for k in RULE_TRIGGER_KINDS]
    )
    target = IdFilter(field_name="target_id")

    class Meta:
        model = Rule
        fields = ["team", "enabled", "trigger", "target"]
