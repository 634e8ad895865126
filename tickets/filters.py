"""Filters and sorting of the agent queue pages (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy

from escalations.models import ClockState

from . import ui_workflow
from .models import Priority, Status, Ticket, Tier


class _NullsLastOrdering(django_filters.OrderingFilter):
    """Sorting in which tickets without a value (e.g. no running SLA clock) come last."""

    def get_ordering_value(self, param: str) -> OrderBy:
        name = super().get_ordering_value(param)
        if name.startswith("-"):
            return F(name[1:]).desc(nulls_last=True)
        return F(name).asc(nulls_last=True)


class QueueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    tier = django_filters.ChoiceFilter(
        field_name="customer__tier", choices=Tier.choices, empty_label="Any tier"
    )
    tag = django_filters.CharFilter(field_name="tags__name", lookup_expr="exact", label="Tag")
    sla_state = django_filters.ChoiceFilter(
        choices=ClockState.choices,
        empty_label="Any SLA state",
        method="filter_sla_state",
        label="SLA",
    )
    ordering = _NullsLastOrdering(
        fields=(
            ("sla_due", "due"),
            ("priority_rank", "priority"),
            ("created_at", "created"),
            ("updated_at", "updated"),
            ("subject", "subject"),
        ),
        field_labels={
            "due": "SLA due",
            "-due": "SLA due (latest first)",
            "priority": "Priority (lowest first)",
            "-priority": "Priority (highest first)",
            "created": "Oldest",
            "-created": "Newest",
            "updated": "Least recently updated",
            "-updated": "Recently updated",
            "subject": "Subject A to Z",
            "-subject": "Subject Z to A",
        },
        empty_label="Default order",
        label="Sort",
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_sla_state(
        self, queryset: QuerySet[Ticket], name: str, value: str
    ) -> QuerySet[Ticket]:
        return ui_workflow.tickets_in_sla_state(queryset, value)
