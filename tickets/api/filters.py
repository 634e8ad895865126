"""Query filters of the ticket resources (contract v1)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from escalations.models import ClockState
from escalations.sla.selectors import tickets_filter_sla_state
from kimondesk.api.filters import UtcIsoDateTimeFilter
from kimondesk.api.ids import IdFilter
from tickets.models import Agent, Customer, Priority, Queue, Status, Ticket
from tickets.search.selectors import SEARCH_MAX_RESULTS, SEARCH_QUERY_MAX_CHARS, tickets_search


class TicketFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    priority = filters.MultipleChoiceFilter(choices=Priority.choices)
    queue = IdFilter(field_name="queue_id")
    assignee = IdFilter(field_name="assignee_id")
    customer = IdFilter(field_name="customer_id")
    tag = filters.CharFilter(method="filter_tag", help_text="Tickets carrying this tag.")
    escalated = filters.BooleanFilter(
        method="filter_escalated", help_text="Escalated at least once (true) or never (false)."
    )
    sla_state = filters.ChoiceFilter(
        choices=[(s, s) for s in ClockState.values], method="filter_sla_state"
    )
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_QUERY_MAX_CHARS,
        help_text=(
            "Ticket number (`123` or `#123`), subject, customer name, email or external id, "
            "and message text; every word must match, the last one also as a prefix. Results "
            f"are ranked best first (unless `ordering` is given) and bounded to the best "
            f"{SEARCH_MAX_RESULTS} of the tickets the other filters leave. At most {SEARCH_QUERY_MAX_CHARS} characters."
        ),
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "queue", "assignee", "customer"]

    def filter_tag(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        return queryset.filter(tags__name=value.strip().lower())

    def filter_escalated(
        self, queryset: QuerySet[Ticket], name: str, value: bool | None
    ) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        return (
            queryset.filter(escalation_count__gt=0)
            if value
            else queryset.filter(escalation_count=0)
        )

    def filter_sla_state(
        self, queryset: QuerySet[Ticket], name: str, value: str
    ) -> QuerySet[Ticket]:
        return tickets_filter_sla_state(queryset, value) if value else queryset

    def filter_search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        # Applied in ``filter_queryset``, after every other filter.
        return queryset

    def filter_queryset(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        """The other filters, then the search among the tickets they leave: the best matches
        of those tickets, not the best of all the visible tickets filtered afterwards."""
        filtered = super().filter_queryset(queryset)
        query = self.form.cleaned_data.get("search")
        if not query:
            return filtered
        narrowed = any(
            value not in (None, "", [])
            for name, value in self.form.cleaned_data.items()
            if name != "search"
        )
        return tickets_search(
            agent=self.request.user,
            query=query,
            tickets=filtered,
            within=filtered if narrowed else None,
        )


class CustomerFilter(filters.FilterSet):
    external_id = filters.CharFilter()
    tier = filters.MultipleChoiceFilter(choices=Customer._meta.get_field("tier").choices)
    email = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Customer
        fields = ["external_id", "tier", "email"]


class AgentFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id")
    role = filters.ChoiceFilter(choices=Agent._meta.get_field("role").choices)

    class Meta:
        model = Agent
        fields = ["team", "role", "is_available"]


class QueueFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id")

    class Meta:
        model = Queue
        fields = ["team", "specialist"]
