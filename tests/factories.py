"""All test factories, in one place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from escalations.models import (
    Calendar,
    Escalation,
    EscalationFeedback,
    OpeningHours,
    Rule,
    SLAPolicy,
    SLATarget,
    Target,
    TargetKind,
    TriggerKey,
)
from tickets.models import (
    Agent,
    AuthorType,
    Customer,
    EventKind,
    Macro,
    MacroUse,
    Message,
    Note,
    Queue,
    RefundRequest,
    Role,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.notifications.models import Notification, NotificationKind


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(DjangoModelFactory):
    class Meta:
        model = Agent
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda a: f"{a.username}@example.com")
    team = factory.SubFactory(TeamFactory)
    role = Role.JUNIOR
    is_available = True
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class LeadFactory(AgentFactory):
    role = Role.LEAD

    @factory.post_generation
    def lead_team(obj, create, extracted, **kwargs):
        if create and obj.team and obj.team.lead_id is None:
            obj.team.lead = obj
            obj.team.save(update_fields=["lead"])


class SeniorFactory(AgentFactory):
    role = Role.SENIOR


class AdminFactory(AgentFactory):
    team = None
    is_superuser = True
    is_staff = True


class QueueFactory(DjangoModelFactory):
    class Meta:
        model = Queue

    name = factory.Sequence(lambda n: f"Queue {n}")
    team = factory.SubFactory(TeamFactory)
    specialist = False


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"cust-{n}")
    name = factory.Faker("company")
    email = factory.Faker("company_email")
    tier = "standard"


class TicketFactory(DjangoModelFactory):
    """A bare ticket row (no events); use ``tickets.services.ticket_create`` to go through the
    workflow."""

    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    customer = factory.SubFactory(CustomerFactory)
    queue = factory.SubFactory(QueueFactory)
    status = "open"
    priority = "normal"


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author_type = AuthorType.CUSTOMER
    body = factory.Faker("paragraph")


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    ticket = factory.SubFactory(TicketFactory)
    body = factory.Faker("paragraph")


class RefundRequestFactory(DjangoModelFactory):
    class Meta:
        model = RefundRequest

    ticket = factory.SubFactory(TicketFactory)
    amount = Decimal("100.00")
    currency = "USD"


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    name = factory.Sequence(lambda n: f"Target {n}")
    kind = TargetKind.TEAM_LEAD


class RuleFactory(DjangoModelFactory):
    class Meta:
        model = Rule

    name = factory.Sequence(lambda n: f"Rule {n}")
    trigger_kind = TriggerKey.SENTIMENT_NEGATIVE
    trigger_params = factory.LazyFunction(dict)
    conditions = factory.LazyFunction(list)
    target = factory.SubFactory(TargetFactory)
    cooldown_minutes = 60


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    ticket = factory.SubFactory(TicketFactory)
    trigger = TriggerKey.MANUAL
    occurrence = factory.Sequence(lambda n: f"manual:{n}")


class CalendarFactory(DjangoModelFactory):
    class Meta:
        model = Calendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    timezone = "Europe/Berlin"


class OpeningHoursFactory(DjangoModelFactory):
    class Meta:
        model = OpeningHours

    calendar = factory.SubFactory(CalendarFactory)
    weekday = 0
    start = "09:00"
    end = "17:00"


class SLAPolicyFactory(DjangoModelFactory):
    class Meta:
        model = SLAPolicy

    name = factory.Sequence(lambda n: f"SLA {n}")
    order = 100


class SLATargetFactory(DjangoModelFactory):
    class Meta:
        model = SLATarget

    policy = factory.SubFactory(SLAPolicyFactory)
    metric = "first_response"
    minutes = 60


# --- Reports: rows with a chosen timestamp ----------------------------------------------------
class BackdatedFactory(DjangoModelFactory):
    """Creates the row as if ``created_at`` were now: ``auto_now_add`` fields take that instant."""

    class Meta:
        abstract = True

    created_at = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from unittest import mock

        from django.utils import timezone

        at = kwargs.pop("created_at", None) or timezone.now()
        with mock.patch("django.utils.timezone.now", return_value=at):
            return super()._create(model_class, *args, **kwargs)


class TicketEventFactory(BackdatedFactory):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    kind = EventKind.NOTE_ADDED
    data = factory.LazyFunction(dict)


class BackdatedEscalationFactory(BackdatedFactory):
    class Meta:
        model = Escalation

    ticket = factory.SubFactory(TicketFactory)
    trigger = TriggerKey.MANUAL
    occurrence = factory.Sequence(lambda n: f"report:{n}")
    handoff_tried = "Reset the password twice"
    handoff_diagnosis = "SSO misconfigured on the customer side"
    handoff_authority_needed = "Change the SSO settings of the account"


class EscalationFeedbackFactory(BackdatedFactory):
    class Meta:
        model = EscalationFeedback

    escalation = factory.SubFactory(EscalationFactory)
    needed = True
    reason = ""
    comment = ""


# --- Page form data ---------------------------------------------------------------------------
def ticket_controls_data(ticket: Ticket, **changes: Any) -> dict[str, Any]:
    """The ticket page's meta form as the page renders it for ``ticket`` (its current version
    and values), with ``changes`` applied as the agent's edits."""
    ticket.refresh_from_db()
    seen = {"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee_id}
    data: dict[str, Any] = {**seen, **{f"seen_{k}": v or "" for k, v in seen.items()}}
    data["version"] = ticket.version
    data.update({k: "" if v is None else v for k, v in changes.items()})
    return data


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    agent = factory.SubFactory(AgentFactory)
    kind = NotificationKind.ESCALATION_ASSIGNED
    ticket = factory.SubFactory(TicketFactory)
    message = factory.LazyAttribute(lambda n: f"#{n.ticket.pk} escalated to you by Lead.")


# --- Macros -------------------------------------------------------------------------------------
class MacroFactory(DjangoModelFactory):
    """A team macro (pass ``team=None, owner=agent`` for a personal one)."""

    class Meta:
        model = Macro

    name = factory.Sequence(lambda n: f"Macro {n}")
    team = factory.SubFactory(TeamFactory)
    owner = None
    body = "Hello {{ customer_name }}, about {{ ticket_number }}: "
    add_tags = factory.LazyFunction(list)


class MacroUseFactory(BackdatedFactory):
    class Meta:
        model = MacroUse

    macro = factory.SubFactory(MacroFactory)
    ticket = factory.SubFactory(TicketFactory)
