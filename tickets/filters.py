"""Filters, sorting and page size of the agent queue pages (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy

from escalations.models import ClockState
from escalations.sla.selectors import tickets_filter_sla_state

from .models import OPEN_STATUSES, Agent, Priority, Status, Ticket, Tier
from .selectors import queues_visible_to

# ``status``: open tickets unless the agent asks for one status or for all of them.
STATUS_OPEN = "open_any"
STATUS_ALL = "all"
STATUS_CHOICES = [
    (STATUS_OPEN, "All open"),
    *Status.choices,
    (STATUS_ALL, "Any status"),
]
# Rows per page: the choices offered (the largest is the bound).
PAGE_SIZES = (25, 50, 100)
PAGE_SIZE_DEFAULT = PAGE_SIZES[0]

# Sortable columns: the ``ordering`` value of each and what it sorts by.
SORTABLE_COLUMNS = {
    "subject": "subject",
    "priority": "priority_rank",
    "due": "sla_due",
    "created": "created_at",
    "updated": "updated_at",
    "customer_message": "last_customer_message_at",
    "queue": "queue__name",
}


class _NullsLastOrdering(django_filters.OrderingFilter):
    """Sorting in which tickets without a value (e.g. no running SLA clock) come last."""

    def get_ordering_value(self, param: str) -> OrderBy:
        name = super().get_ordering_value(param)
        if name.startswith("-"):
            return F(name[1:]).desc(nulls_last=True)
        return F(name).asc(nulls_last=True)


class QueueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, empty_label=None, method="filter_status", label="Status"
    )
    queue = django_filters.ModelChoiceFilter(
        queryset=queues_visible_to(agent=Agent()), empty_label="Any queue", label="Queue"
    )
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
        fields=tuple((field, key) for key, field in SORTABLE_COLUMNS.items()),
        field_labels={
            "due": "SLA due",
            "-due": "SLA due (latest first)",
            "priority": "Priority (lowest first)",
            "-priority": "Priority (highest first)",
            "created": "Oldest",
            "-created": "Newest",
            "updated": "Least recently updated",
            "-updated": "Recently updated",
            "customer_message": "Customer waiting longest",
            "-customer_message": "Latest customer message",
            "queue": "Queue A to Z",
            "-queue": "Queue Z to A",
            "subject": "Subject A to Z",
            "-subject": "Subject Z to A",
        },
        empty_label="Default order",
        label="Sort",
    )
    page_size = django_filters.ChoiceFilter(
        choices=[(str(size), f"{size} per page") for size in PAGE_SIZES],
        empty_label=None,
        method="filter_nothing",
        label="Rows",
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(
        self, data: Any = None, *args: Any, agent: Agent | None = None, **kwargs: Any
    ) -> None:
        data = data.copy() if data is not None else {}
        data.setdefault("status", STATUS_OPEN)
        data.setdefault("page_size", str(PAGE_SIZE_DEFAULT))
        super().__init__(data, *args, **kwargs)
        if agent is not None:
            self.filters["queue"].queryset = queues_visible_to(agent=agent)
            self.form.fields["queue"].queryset = queues_visible_to(agent=agent)

    def filter_status(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        if value == STATUS_ALL:
            return queryset
        if value == STATUS_OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_sla_state(
        self, queryset: QuerySet[Ticket], name: str, value: str
    ) -> QuerySet[Ticket]:
        return tickets_filter_sla_state(queryset, value)

    def filter_nothing(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        return queryset

    @property
    def rows_per_page(self) -> int:
        if self.form.is_valid():
            return int(self.form.cleaned_data.get("page_size") or PAGE_SIZE_DEFAULT)
        return PAGE_SIZE_DEFAULT
